import { systemClock } from '../shared/ports/clock.js';
import { renderReport, runVerification, VERIFY_FORMATS, type VerifyFormat } from '../shared/api/verify-endpoint.js';
import { recordAndShow } from '../shared/alerts/history.js';
import { StorageFaultError } from '../shared/errors/storage-fault.js';
import type { VerificationScope } from '../shared/verify/verification-scope.js';
import type { WriteStream } from 'node:tty';
import { coverageStrips } from './coverage-strip.js';
import type { VerificationReport } from '../shared/verify/report-schema.js';
import { unavailableNote } from './exit-status.js';
import type { LocalStack } from './local-stack.js';

export { VERIFY_FORMATS, type VerifyFormat };

/**
 * Print the verification report of a scope (the same report `GET /verify` returns), after keeping it
 * in the data dir's history, so the report and `status` can say when the scope last passed.
 *
 * The report comes from the warehouse: a damaged or unreadable ledger or history (or a full disk that
 * refuses the record) leaves out what they add (the checkpoint columns, when the scope last passed),
 * and a note says which file and what to do. The notes go to stdout with a text or markdown report,
 * and to stderr with JSON, which stays one JSON document.
 */
export async function printVerification(
  stack: LocalStack,
  scope: VerificationScope,
  format: VerifyFormat,
  out: NodeJS.WritableStream,
  options: { trigger?: 'manual' | 'run_finished'; runId?: string; notes?: NodeJS.WritableStream } = {},
): Promise<{ passed: boolean }> {
  const notes: string[] = [];
  if (stack.unavailable.ledger) notes.push(unavailableNote(stack.unavailable.ledger, 'Checkpoint columns (ledger)'));
  const ledger = stack.unavailable.ledger ? null : stack.ledger;
  const { report: verified, passed } = await runVerification({ warehouse: stack.warehouse, ledger, clock: systemClock }, scope, 'json');
  let report: VerificationReport = verified;
  if (stack.unavailable.history) {
    notes.push(unavailableNote(stack.unavailable.history, 'History (when this scope last passed)'));
  } else {
    try {
      report = await recordAndShow(stack.history, verified, options.trigger ?? 'manual', options.runId ?? null);
    } catch (error) {
      if (!(error instanceof StorageFaultError)) throw error;
      notes.push(unavailableNote(error, 'History (this verification was not recorded)'));
    }
  }
  const text = renderReport(report, format);
  const noteText = notes.map((n) => `Note: ${n}\n`).join('');
  if (format === 'json') (options.notes ?? process.stderr).write(noteText);
  else if (noteText) out.write(`${noteText}\n`);
  writeReport(out, text, report, format);
  return { passed };
}

/** A rendered report; the text format on a terminal also gets the coverage strips of the status page's calendars. */
export function writeReport(out: NodeJS.WritableStream, text: string, report: VerificationReport, format: VerifyFormat): void {
  out.write(text.endsWith('\n') ? text : `${text}\n`);
  const tty = out as Partial<WriteStream>;
  if (format === 'text' && tty.isTTY) out.write(`\n${coverageStrips(report, tty.columns ?? 100)}`);
}
