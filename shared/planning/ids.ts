import { createHash } from 'node:crypto';
import type { AnalyticsTableName, RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import type { BackfillRequest } from './backfill-request.js';

/** The chunk's id is the work itself: planning twice, or delivering twice, finds the same chunk. */
export function chunkId(table: AnalyticsTableName, gameDate: IsoDate, mode: RunMode): string {
  return `${table}.${gameDate}.${mode}`;
}

/** A run's id is derived from its normalised request, so repeating a command resumes the same run. */
export function runId(request: BackfillRequest): string {
  const canonical = JSON.stringify({
    tables: [...request.tables],
    start: request.start,
    end: request.end,
    excludeDates: [...request.excludeDates],
    mode: request.mode,
  });
  const digest = createHash('sha256').update(canonical).digest('hex').slice(0, 12);
  return `run-${request.mode === 'test' ? 'test-' : ''}${request.start.replaceAll('-', '')}-${request.end.replaceAll('-', '')}-${digest}`;
}
