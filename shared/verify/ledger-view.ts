import { isTerminal, type ChunkState, CHUNK_STATES } from '../chunks/chunk-state.js';
import type { ChunkRecord, Ledger, RunRecord } from '../ports/ledger.js';
import type { AnalyticsTableName, RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';

export interface LedgerScope {
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly mode: RunMode;
}

/** What the ledger says about one table in scope: shown beside the warehouse's numbers, never instead. */
export interface TableLedgerView {
  readonly chunksByDate: ReadonlyMap<IsoDate, ChunkRecord>;
  readonly chunksByState: Record<ChunkState, number>;
  readonly activeRunIds: string[];
  readonly inFlightChunks: number;
}

/**
 * Active runs of the scope's mode that include the table and overlap the scope. A test run never
 * counts for production (and the reverse): chunks and runs of the other mode are not read at all.
 */
export function activeRunsFor(runs: readonly RunRecord[], table: AnalyticsTableName, scope: LedgerScope): RunRecord[] {
  return runs.filter(
    (r) =>
      r.state === 'active' &&
      r.request.mode === scope.mode &&
      r.request.tables.includes(table) &&
      r.request.start <= scope.end &&
      r.request.end >= scope.start,
  );
}

/** Pure: the view from the table's chunks of this mode and the active runs. */
export function buildLedgerView(
  chunks: readonly ChunkRecord[],
  activeRuns: readonly RunRecord[],
  scope: LedgerScope,
): TableLedgerView {
  const inScope = chunks.filter((c) => c.mode === scope.mode && c.gameDate >= scope.start && c.gameDate <= scope.end);
  const activeIds = new Set(activeRuns.map((r) => r.id));
  const chunksByState = Object.fromEntries(CHUNK_STATES.map((s) => [s, 0])) as Record<ChunkState, number>;
  for (const c of inScope) chunksByState[c.state] += 1;
  return {
    chunksByDate: new Map(inScope.map((c) => [c.gameDate, c])),
    chunksByState,
    activeRunIds: [...activeIds].sort(),
    inFlightChunks: inScope.filter((c) => !isTerminal(c.state) && c.runIds.some((id) => activeIds.has(id))).length,
  };
}

export async function loadLedgerViews(
  ledger: Ledger,
  tables: readonly AnalyticsTableName[],
  scope: LedgerScope,
): Promise<Map<AnalyticsTableName, TableLedgerView>> {
  const runs = await ledger.listRuns({ states: ['active'] });
  const views = await Promise.all(
    tables.map(async (table) => {
      const chunks = await ledger.listChunks({ table, mode: scope.mode });
      return [table, buildLedgerView(chunks, activeRunsFor(runs, table, scope), scope)] as const;
    }),
  );
  return new Map(views);
}
