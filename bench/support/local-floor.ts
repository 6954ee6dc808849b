import { partitionWrite } from '../../shared/chunks/partition-write.js';
import type { BackfillRequest } from '../../shared/planning/backfill-request.js';
import { planBackfill } from '../../shared/planning/plan-chunks.js';
import type { Warehouse } from '../../shared/ports/warehouse.js';
import { tableSpec } from '../../shared/tables/registry.js';
import type { AnalyticsTableName } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';

export interface LocalFloorTable {
  readonly table: AnalyticsTableName;
  readonly gameDates: readonly IsoDate[];
  readonly rows: number;
  readonly seconds: number;
}

export interface LocalFloor {
  /** Planning (the same planBackfill a run starts with), not counted in `seconds`. */
  readonly planSeconds: number;
  /** The writes: each table's transform once over all its dates, one table after another. */
  readonly seconds: number;
  readonly tables: readonly LocalFloorTable[];
}

/**
 * The local floor: the same transforms, the same write path (partitionWrite: lineage, then one
 * replacePartitions) and the same dates a run plans, but one job per table over the whole range, tables
 * in dependency order, with no ledger, no checkpoints, no read-back. What the warehouse itself needs.
 */
export async function localFloor(warehouse: Warehouse, request: BackfillRequest): Promise<LocalFloor> {
  let t = performance.now();
  const plan = await planBackfill(warehouse, request);
  const planSeconds = (performance.now() - t) / 1000;
  // The plan lists its chunks with tables in dependency order.
  const datesByTable = new Map<AnalyticsTableName, IsoDate[]>();
  for (const chunk of plan.chunks) {
    const dates = datesByTable.get(chunk.table) ?? [];
    dates.push(chunk.gameDate);
    datesByTable.set(chunk.table, dates);
  }
  const tables: LocalFloorTable[] = [];
  const start = performance.now();
  for (const [table, dates] of datesByTable) {
    t = performance.now();
    const write = await partitionWrite(warehouse, tableSpec(table), { runId: plan.runId, mode: request.mode, startedAt: Date.now() }, dates);
    const { producedByDate } = await warehouse.replacePartitions(write.request);
    const rows = Object.values(producedByDate).reduce((a, b) => a + b, 0);
    tables.push({ table, gameDates: dates, rows, seconds: (performance.now() - t) / 1000 });
  }
  return { planSeconds, seconds: (performance.now() - start) / 1000, tables };
}
