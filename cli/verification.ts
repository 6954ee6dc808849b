import { systemClock } from '../shared/ports/clock.js';
import { renderReport, runVerification, VERIFY_FORMATS, type VerifyFormat } from '../shared/api/verify-endpoint.js';
import { recordAndShow } from '../shared/alerts/history.js';
import type { AnalyticsTableName, RunMode } from '../shared/tables/names.js';
import type { IsoDate } from '../shared/util/dates.js';
import type { WriteStream } from 'node:tty';
import { coverageStrips } from './coverage-strip.js';
import type { VerificationReport } from '../shared/verify/report-schema.js';
import type { LocalStack } from './local-stack.js';

export { VERIFY_FORMATS, type VerifyFormat };

/**
 * Print the verification report of a scope (the same report `GET /verify` returns), after keeping it
 * in the data dir's history, so the report and `status` can say when the scope last passed.
 */
export async function printVerification(
  stack: LocalStack,
  scope: { tables: readonly AnalyticsTableName[]; start: IsoDate; end: IsoDate; mode: RunMode },
  format: VerifyFormat,
  out: NodeJS.WritableStream,
  options: { trigger?: 'manual' | 'run_finished'; runId?: string } = {},
): Promise<{ passed: boolean }> {
  const { report: verified, passed } = await runVerification({ warehouse: stack.warehouse, ledger: stack.ledger, clock: systemClock }, scope, 'json');
  const report = await recordAndShow(stack.history, verified, options.trigger ?? 'manual', options.runId ?? null);
  writeReport(out, renderReport(report, format), report, format);
  return { passed };
}

/** A rendered report; the text format on a terminal also gets the coverage strips of the status page's calendars. */
export function writeReport(out: NodeJS.WritableStream, text: string, report: VerificationReport, format: VerifyFormat): void {
  out.write(text.endsWith('\n') ? text : `${text}\n`);
  const tty = out as Partial<WriteStream>;
  if (format === 'text' && tty.isTTY) out.write(`\n${coverageStrips(report, tty.columns ?? 100)}`);
}
