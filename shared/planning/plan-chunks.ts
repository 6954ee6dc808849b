import type { Warehouse } from '../ports/warehouse.js';
import type { NewChunk } from '../ports/ledger.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../tables/names.js';
import { tableSpec } from '../tables/registry.js';
import type { IsoDate } from '../util/dates.js';
import { assessPartitions, datesToRebuild, upstreamWindow, type TableAssessment } from '../lineage/assess-partitions.js';
import type { BackfillRequest } from './backfill-request.js';
import { chunkId, runId } from './ids.js';
import type { PlannedExpectations } from './expectations.js';

type ByTable<T> = Readonly<Partial<Record<AnalyticsTableName, T>>>;

export interface BackfillPlan {
  readonly runId: string;
  readonly request: BackfillRequest;
  /** One chunk per (table, game date): the request's dates, then the inputs they need, tables in dependency order. */
  readonly chunks: readonly NewChunk[];
  /** Game dates of each requested table in range, without the excluded ones. */
  readonly datesByTable: ByTable<readonly IsoDate[]>;
  /** Game dates the request excluded, per table, for the record. */
  readonly excludedByTable: ByTable<readonly IsoDate[]>;
  /**
   * History first: partitions of upstream tables that the requested dates read and the warehouse lacks (missing,
   * short or stale), planned in the same run so they are built before what reads them.
   */
  readonly inputsByTable: ByTable<readonly IsoDate[]>;
  /** Of those inputs, dates the request excluded but later dates read: built anyway, as inputs. */
  readonly excludedInputs: ByTable<readonly IsoDate[]>;
  /** Chunks whose partition the warehouse does not hold as its inputs make it now: (re)built whatever their checkpoint says. */
  readonly rebuild: readonly string[];
  /** What the plan read of each table's expectations (its range widened by its readers'): planning/expectations.ts `plannedExpectations`. */
  readonly expectations: ByTable<PlannedExpectations>;
}

/**
 * Pure: a request and what the warehouse holds become chunks. Every game date of a requested table in range makes
 * a chunk (excluded dates do not); the dates whose partition is missing, short, in excess or stale are to be
 * rebuilt; and the upstream partitions those dates read that are not current are planned as inputs, like a build
 * tool building a target's inputs first. Calendar days without games make no chunk.
 */
export function planChunks(request: BackfillRequest, assessments: ReadonlyMap<AnalyticsTableName, TableAssessment>): BackfillPlan {
  const excluded = new Set(request.excludeDates);
  const datesByTable: Partial<Record<AnalyticsTableName, IsoDate[]>> = {};
  const excludedByTable: Partial<Record<AnalyticsTableName, IsoDate[]>> = {};
  // What each table must hold current, from the requested tables down through what they read.
  const wanted = new Map<AnalyticsTableName, Set<IsoDate>>();
  for (const table of request.tables) {
    const dates = [...new Set(assessments.get(table)?.expectations.map((e) => e.date) ?? [])]
      .filter((d) => d >= request.start && d <= request.end)
      .sort();
    datesByTable[table] = dates.filter((d) => !excluded.has(d));
    excludedByTable[table] = dates.filter((d) => excluded.has(d));
    wanted.set(table, new Set(datesByTable[table]));
  }
  const inputsByTable: Partial<Record<AnalyticsTableName, IsoDate[]>> = {};
  const excludedInputs: Partial<Record<AnalyticsTableName, IsoDate[]>> = {};
  const rebuildByTable = new Map<AnalyticsTableName, Set<IsoDate>>();
  // Readers before what they read (reverse dependency order), so an input's own inputs are planned too.
  for (const table of [...ANALYTICS_TABLES].reverse()) {
    const targets = wanted.get(table);
    const assessment = assessments.get(table);
    if (!targets || targets.size === 0 || !assessment) continue;
    const notCurrent = new Set(datesToRebuild(assessment));
    rebuildByTable.set(table, new Set([...targets].filter((d) => notCurrent.has(d))));
    const sorted = [...targets].sort();
    for (const dep of tableSpec(table).upstream) {
      const upstream = assessments.get(dep.table);
      if (!upstream) continue;
      const from = upstreamWindow(dep, sorted[0] as IsoDate).from;
      const to = upstreamWindow(dep, sorted[sorted.length - 1] as IsoDate).to;
      const own = wanted.get(dep.table) ?? new Set<IsoDate>();
      const inputs = datesToRebuild(upstream).filter((d) => d >= from && d <= to && !own.has(d));
      if (inputs.length === 0) continue;
      inputsByTable[dep.table] = [...new Set([...(inputsByTable[dep.table] ?? []), ...inputs])].sort();
      const excludedHere = inputs.filter((d) => excluded.has(d));
      if (excludedHere.length) excludedInputs[dep.table] = [...new Set([...(excludedInputs[dep.table] ?? []), ...excludedHere])].sort();
      wanted.set(dep.table, new Set([...own, ...inputs]));
    }
  }
  const chunks: NewChunk[] = [];
  const rebuild: string[] = [];
  for (const table of ANALYTICS_TABLES) {
    const dates = [...(wanted.get(table) ?? [])].sort();
    const inputs = new Set(inputsByTable[table] ?? []);
    const notCurrent = rebuildByTable.get(table) ?? new Set<IsoDate>();
    for (const gameDate of dates) {
      const id = chunkId(table, gameDate, request.mode);
      chunks.push({ id, table, gameDate, mode: request.mode });
      if (inputs.has(gameDate) || notCurrent.has(gameDate)) rebuild.push(id);
    }
  }
  const expectations: Partial<Record<AnalyticsTableName, PlannedExpectations>> = {};
  for (const [table, a] of assessments) expectations[table] = { start: a.start, end: a.end, dates: a.expectations };
  return { runId: runId(request), request, chunks, datesByTable, excludedByTable, inputsByTable, excludedInputs, rebuild, expectations };
}

/** Assess what the warehouse holds of the requested tables (and of what they read), then plan. */
export async function planBackfill(warehouse: Warehouse, request: BackfillRequest): Promise<BackfillPlan> {
  const assessments = await assessPartitions(
    warehouse,
    request.mode,
    request.tables.map((table) => ({ table, start: request.start, end: request.end })),
  );
  return planChunks(request, assessments);
}
