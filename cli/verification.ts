import { systemClock } from '../shared/ports/clock.js';
import { runVerification, VERIFY_FORMATS, type VerifyFormat } from '../shared/api/verify-endpoint.js';
import type { AnalyticsTableName, RunMode } from '../shared/tables/names.js';
import type { IsoDate } from '../shared/util/dates.js';
import type { LocalStack } from './local-stack.js';

export { VERIFY_FORMATS, type VerifyFormat };

/** Print the verification report of a scope; the same report `GET /verify` returns. */
export async function printVerification(
  stack: LocalStack,
  scope: { tables: readonly AnalyticsTableName[]; start: IsoDate; end: IsoDate; mode: RunMode },
  format: VerifyFormat,
  out: NodeJS.WritableStream,
): Promise<{ passed: boolean }> {
  const outcome = await runVerification({ warehouse: stack.warehouse, ledger: stack.ledger, clock: systemClock }, scope, format);
  const text = typeof outcome.body === 'string' ? outcome.body : JSON.stringify(outcome.body, null, 2);
  out.write(text.endsWith('\n') ? text : `${text}\n`);
  return { passed: outcome.passed };
}
