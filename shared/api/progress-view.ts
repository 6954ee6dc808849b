import type { ChunkRecord, Ledger, RunRecord } from '../ports/ledger.js';
import { BROKEN_STATES, CHUNK_STATES, TERMINAL_STATES, type ChunkState } from '../chunks/chunk-state.js';
import type { AnalyticsTableName } from '../tables/names.js';

export interface RunProgressView {
  readonly run: RunRecord;
  readonly totals: Record<ChunkState, number> & { total: number };
  readonly byTable: Partial<Record<AnalyticsTableName, Partial<Record<ChunkState, number>>>>;
  /** Chunks settled (succeeded, no_source, dead) per minute since the run started. */
  readonly chunksPerMinute: number;
  /** Seconds to settle what is left at that rate; null when unknown or done. */
  readonly etaSeconds: number | null;
  readonly lastErrors: ReadonlyArray<Pick<ChunkRecord, 'id' | 'table' | 'gameDate' | 'state' | 'attempts' | 'lastError'>>;
}

/** Progress of a run from its checkpoints: counts by state and table, throughput, ETA, last errors. */
export async function runProgress(ledger: Ledger, runId: string, now: number): Promise<RunProgressView | null> {
  const run = await ledger.getRun(runId);
  if (!run) return null;
  const counts = await ledger.countChunks(runId);
  const totals = Object.fromEntries(CHUNK_STATES.map((s) => [s, 0])) as Record<ChunkState, number>;
  const byTable: RunProgressView['byTable'] = {};
  for (const c of counts) {
    totals[c.state] += c.count;
    const row = (byTable[c.table] ??= {});
    row[c.state] = (row[c.state] ?? 0) + c.count;
  }
  const total = counts.reduce((n, c) => n + c.count, 0);
  const settled = TERMINAL_STATES.reduce((n, s) => n + totals[s], 0);
  const elapsedMinutes = Math.max(1 / 60, ((run.finishedAt ?? now) - run.createdAt) / 60000);
  const chunksPerMinute = settled / elapsedMinutes;
  const left = total - settled;
  const etaSeconds = left === 0 || chunksPerMinute === 0 || run.state !== 'active' ? null : Math.ceil((left / chunksPerMinute) * 60);
  const broken = await ledger.listChunks({ runId, states: BROKEN_STATES, limit: 10 });
  return {
    run,
    totals: { ...totals, total },
    byTable,
    chunksPerMinute: Math.round(chunksPerMinute * 10) / 10,
    etaSeconds,
    lastErrors: broken.map((c) => ({ id: c.id, table: c.table, gameDate: c.gameDate, state: c.state, attempts: c.attempts, lastError: c.lastError })),
  };
}
