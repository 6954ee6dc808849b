import type { ChunkRecord, RunRecord } from '../../shared/ports/ledger.js';
import type { ChunkState } from '../../shared/chunks/chunk-state.js';
import type { AnalyticsTableName } from '../../shared/tables/names.js';
import { chunkId } from '../../shared/planning/ids.js';
import { parseBackfillRequest } from '../../shared/planning/backfill-request.js';

/** A chunk record for pure tests: pending, no attempts, unless told otherwise. */
export function chunk(table: AnalyticsTableName, gameDate: string, state: ChunkState = 'pending', extra: Partial<ChunkRecord> = {}): ChunkRecord {
  return {
    id: chunkId(table, gameDate, 'production'), table, gameDate, mode: 'production', runIds: ['run-1'], state,
    attempts: 0, priorAttempts: 0, quotaRetries: 0, leaseOwner: null, leaseExpiresAt: null, nextAttemptAt: null, lastError: null,
    rowsWritten: null, rowsFound: null, expectedRows: null, durationMs: null, queuedAt: null, startedAt: null,
    finishedAt: null, updatedAt: 0, ...extra,
  };
}

export function runRecord(extra: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run-1', request: parseBackfillRequest({ tables: 'all', start: '2021-11-01', end: '2021-11-30' }), state: 'active',
    chunkCount: 10, createdAt: 0, updatedAt: 0, finishedAt: null, outcome: null, roundStartedAt: 0, ...extra,
  };
}
