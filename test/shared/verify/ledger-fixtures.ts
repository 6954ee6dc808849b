import type { ChunkState, RunState } from '../../../shared/chunks/chunk-state.js';
import type { ChunkRecord, RunRecord } from '../../../shared/ports/ledger.js';
import { newChunkRecord } from '../../../shared/ledger/ledger-records.js';
import { chunkId } from '../../../shared/planning/ids.js';
import type { AnalyticsTableName, RunMode } from '../../../shared/tables/names.js';

export function chunk(
  table: AnalyticsTableName,
  gameDate: string,
  state: ChunkState,
  over: Partial<ChunkRecord> & { mode?: RunMode } = {},
): ChunkRecord {
  const mode = over.mode ?? 'production';
  return { ...newChunkRecord({ id: chunkId(table, gameDate, mode), table, gameDate, mode }, 'run-1', 0), state, ...over };
}

export function run(
  id: string,
  state: RunState,
  request: { tables: AnalyticsTableName[]; start: string; end: string; mode: RunMode },
): RunRecord {
  return {
    id,
    request: { ...request, excludeDates: [], reprocess: 'none' },
    state,
    chunkCount: 0,
    createdAt: 0,
    updatedAt: 0,
    finishedAt: null,
    roundStartedAt: 0,
    outcome: null,
  };
}
