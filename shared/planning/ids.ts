import { createHash } from 'node:crypto';
import type { AnalyticsTableName, RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import type { BackfillRequest } from './backfill-request.js';

/** The chunk's id is the work itself: planning twice, or delivering twice, finds the same chunk. */
export function chunkId(table: AnalyticsTableName, gameDate: IsoDate, mode: RunMode): string {
  return `${table}.${gameDate}.${mode}`;
}

/**
 * What any run id looks like (`run-...`, `run-test-...`, `heal-...`): anything else is not an id, and
 * is refused before it reaches a ledger query.
 */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
export const RUN_ID_HINT = 'a run id is 1-128 letters, digits and _ . : -, like run-20211101-20211130-0123456789ab';

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}

/** A run's id is derived from its normalised request, so repeating a command resumes the same run. */
export function runId(request: BackfillRequest): string {
  const canonical = JSON.stringify({
    tables: [...request.tables],
    start: request.start,
    end: request.end,
    excludeDates: [...request.excludeDates],
    mode: request.mode,
    // Only when asked for, so the ids of requests that never reprocess stay what they were.
    ...(request.reprocess !== 'none' ? { reprocess: request.reprocess } : {}),
  });
  const digest = createHash('sha256').update(canonical).digest('hex').slice(0, 12);
  return `run-${request.mode === 'test' ? 'test-' : ''}${request.start.replaceAll('-', '')}-${request.end.replaceAll('-', '')}-${digest}`;
}
