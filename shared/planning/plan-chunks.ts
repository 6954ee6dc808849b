import type { Warehouse } from '../ports/warehouse.js';
import type { NewChunk } from '../ports/ledger.js';
import type { AnalyticsTableName } from '../tables/names.js';
import { tableSpec } from '../tables/registry.js';
import type { IsoDate } from '../util/dates.js';
import type { BackfillRequest } from './backfill-request.js';
import { loadExpectations } from './expectations.js';
import { chunkId, runId } from './ids.js';

export interface BackfillPlan {
  readonly runId: string;
  readonly request: BackfillRequest;
  /** One chunk per (table, game date), tables in dependency order, dates ascending. */
  readonly chunks: readonly NewChunk[];
  readonly datesByTable: Readonly<Partial<Record<AnalyticsTableName, readonly IsoDate[]>>>;
  /** Game dates the request excluded, per table, for the record. */
  readonly excludedByTable: Readonly<Partial<Record<AnalyticsTableName, readonly IsoDate[]>>>;
}

/**
 * Pure: a request and the game dates each table has in the schedule become chunks. Calendar days
 * without games make no chunk; excluded dates make none either.
 */
export function planChunks(
  request: BackfillRequest,
  gameDatesByTable: Readonly<Partial<Record<AnalyticsTableName, readonly IsoDate[]>>>,
): BackfillPlan {
  const excluded = new Set(request.excludeDates);
  const chunks: NewChunk[] = [];
  const datesByTable: Partial<Record<AnalyticsTableName, IsoDate[]>> = {};
  const excludedByTable: Partial<Record<AnalyticsTableName, IsoDate[]>> = {};
  for (const table of request.tables) {
    const dates = [...new Set(gameDatesByTable[table] ?? [])]
      .filter((d) => d >= request.start && d <= request.end)
      .sort();
    const kept = dates.filter((d) => !excluded.has(d));
    datesByTable[table] = kept;
    excludedByTable[table] = dates.filter((d) => excluded.has(d));
    for (const gameDate of kept) {
      chunks.push({ id: chunkId(table, gameDate, request.mode), table, gameDate, mode: request.mode });
    }
  }
  return { runId: runId(request), request, chunks, datesByTable, excludedByTable };
}

/** Ask the warehouse's schedule which dates have games for each requested table, then plan. */
export async function planBackfill(warehouse: Warehouse, request: BackfillRequest): Promise<BackfillPlan> {
  const gameDates: Partial<Record<AnalyticsTableName, IsoDate[]>> = {};
  for (const table of request.tables) {
    const expectations = await loadExpectations(warehouse, tableSpec(table), request.mode, request.start, request.end);
    gameDates[table] = [...expectations.keys()];
  }
  return planChunks(request, gameDates);
}
