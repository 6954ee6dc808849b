import type { Warehouse } from '../ports/warehouse.js';
import { LIMITS } from '../config/defaults.js';
import { tableSpec } from '../tables/registry.js';
import { ANALYTICS_TABLES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import type { UpstreamDependency } from '../tables/types.js';
import { addDaysIso, type IsoDate } from '../util/dates.js';
import { rowsMatch } from '../verify/date-reason.js';
import type { DateCount, ExpectedDate } from '../verify/evaluate-dates.js';
import { parseRowCounts, rowCountsQuery } from '../verify/sql/row-counts-query.js';
import { currentLineage, type CurrentLineage } from './input-fingerprints.js';
import { lineageDrift } from './lineage-record.js';
import { causesOfDrift, type StaleCause } from './stale-cause.js';

/**
 * What the warehouse holds of one table over a range, against what the contract and the inputs say: the
 * expectation and the rows per date (as verification counts them), and the dates whose rows are not built
 * from their inputs as they are now (`stale`). Verification reports it; planning and healing rebuild from it.
 */
export interface TableAssessment {
  readonly table: AnalyticsTableName;
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly expectations: readonly ExpectedDate[];
  readonly counts: ReadonlyMap<IsoDate, DateCount>;
  /** Dates holding rows that are stale, with why. */
  readonly stale: ReadonlyMap<IsoDate, readonly StaleCause[]>;
  /** The queries the assessment ran, with the bytes the engine says they processed. */
  readonly queries: ReadonlyArray<{ readonly family: 'row_counts' | 'input_lineage'; readonly label: string; readonly bytesProcessed: number | null }>;
}

export interface AssessRequest {
  readonly table: AnalyticsTableName;
  readonly start: IsoDate;
  readonly end: IsoDate;
}

/** The part of an assessment within [start, end] (a table assessed over more for its readers). */
export function sliceAssessment(assessment: TableAssessment, start: IsoDate, end: IsoDate): TableAssessment {
  const inRange = (date: IsoDate) => date >= start && date <= end;
  return {
    ...assessment,
    start,
    end,
    expectations: assessment.expectations.filter((e) => inRange(e.date)),
    counts: new Map([...assessment.counts].filter(([date]) => inRange(date))),
    stale: new Map([...assessment.stale].filter(([date]) => inRange(date))),
  };
}

/** The dates of an upstream table a partition for `date` reads. */
export function upstreamWindow(dep: UpstreamDependency, date: IsoDate): { from: IsoDate; to: IsoDate } {
  return {
    from: dep.lookbackDays === 'all' ? LIMITS.earliestDate : addDaysIso(date, -dep.lookbackDays),
    to: dep.sameDate ? date : addDaysIso(date, -1),
  };
}

/** Whether a date of an assessed table holds what its inputs make now: the expected rows, built from current inputs. */
export function isDateCurrent(assessment: TableAssessment, expectation: ExpectedDate, tolerance: number): boolean {
  const rows = assessment.counts.get(expectation.date)?.rows ?? 0;
  return rowsMatch(rows, expectation.expectedRows, tolerance) && !assessment.stale.has(expectation.date);
}

/**
 * The dates of the table's game calendar (dates with an expectation) that are not current: missing, short,
 * in excess, or stale. What a run over the range must (re)build.
 */
export function datesToRebuild(assessment: TableAssessment, tolerance = 0): IsoDate[] {
  return assessment.expectations
    .filter((e) => (e.expectedRows > 0 || e.sourceShortGames > 0 || (assessment.counts.get(e.date)?.rows ?? 0) > 0) && !isDateCurrent(assessment, e, tolerance))
    .map((e) => e.date)
    .sort();
}

/**
 * Assess tables over ranges, each with what it needs of its upstream tables (a context table's features read
 * every earlier date of its inputs): upstream tables are assessed first over the dates their readers read, and a
 * date whose upstream dates are missing, short or stale is stale itself. Tables come back in dependency order,
 * each over the range asked for it (upstream-only ones over what their readers needed).
 */
export async function assessPartitions(
  warehouse: Warehouse,
  mode: RunMode,
  requests: readonly AssessRequest[],
  options: { readonly tolerance?: number } = {},
): Promise<Map<AnalyticsTableName, TableAssessment>> {
  const tolerance = options.tolerance ?? 0;
  const ranges = neededRanges(requests);
  // Every table's queries at once (none reads another's answer); then each judged after its upstream tables.
  const levels = dependencyLevels([...ranges.keys()]);
  const read = new Map(await Promise.all(levels.flat().map(async (table) => [table, await readOne(warehouse, mode, table, ranges.get(table) as Range)] as const)));
  const out = new Map<AnalyticsTableName, TableAssessment>();
  for (const table of levels.flat()) out.set(table, judgeOne(read.get(table) as TableRead, out, tolerance));
  return out;
}

interface Range {
  start: IsoDate;
  end: IsoDate;
}

/** Each table's range: the one asked, widened by what every reader of it reads. */
function neededRanges(requests: readonly AssessRequest[]): Map<AnalyticsTableName, Range> {
  const ranges = new Map<AnalyticsTableName, Range>();
  const widen = (table: AnalyticsTableName, start: IsoDate, end: IsoDate) => {
    const current = ranges.get(table);
    const next = current ? { start: start < current.start ? start : current.start, end: end > current.end ? end : current.end } : { start, end };
    if (current && current.start === next.start && current.end === next.end) return;
    ranges.set(table, next);
    for (const dep of tableSpec(table).upstream) {
      const from = upstreamWindow(dep, next.start).from;
      const to = upstreamWindow(dep, next.end).to;
      if (to >= from) widen(dep.table, from, to);
    }
  };
  for (const r of requests) widen(r.table, r.start, r.end);
  return ranges;
}

/** Tables grouped so that each group's upstream tables are in earlier groups. */
function dependencyLevels(tables: readonly AnalyticsTableName[]): AnalyticsTableName[][] {
  const level = new Map<AnalyticsTableName, number>();
  const depth = (table: AnalyticsTableName): number => {
    const known = level.get(table);
    if (known !== undefined) return known;
    const d = Math.max(-1, ...tableSpec(table).upstream.map((dep) => depth(dep.table))) + 1;
    level.set(table, d);
    return d;
  };
  const levels: AnalyticsTableName[][] = [];
  for (const table of ANALYTICS_TABLES.filter((t) => tables.includes(t))) {
    const d = depth(table);
    (levels[d] ??= []).push(table);
  }
  return levels.filter((l) => l.length > 0);
}

/** What the warehouse says of one table: its row counts and expectations, and the lineage of its inputs now. */
interface TableRead {
  readonly table: AnalyticsTableName;
  readonly range: Range;
  readonly expectations: readonly ExpectedDate[];
  readonly counts: ReadonlyMap<IsoDate, DateCount>;
  readonly lineage: ReturnType<typeof parseRowCounts>['lineage'];
  readonly withRows: readonly IsoDate[];
  readonly current: CurrentLineage;
  readonly counted: { readonly label: string; readonly bytesProcessed: number | null };
}

async function readOne(warehouse: Warehouse, mode: RunMode, table: AnalyticsTableName, range: Range): Promise<TableRead> {
  const spec = tableSpec(table);
  const countsQuery = rowCountsQuery(spec, warehouse.context(mode), { ...range, mode });
  const counted = await warehouse.query(countsQuery);
  const { expectations, counts, lineage } = parseRowCounts(counted.rows);
  const calendar = new Set(expectations.map((e) => e.date));
  const withRows = [...counts.keys()].filter((date) => calendar.has(date)).sort();
  const current = await currentLineage(warehouse, spec, mode, withRows);
  return { table, range, expectations, counts, lineage, withRows, current, counted: { label: countsQuery.label, bytesProcessed: counted.bytesProcessed ?? null } };
}

/** Pure: which dates of a table that was read are stale, from its lineage and its upstream tables' assessments. */
function judgeOne(read: TableRead, upstream: ReadonlyMap<AnalyticsTableName, TableAssessment>, tolerance: number): TableAssessment {
  const { table, range, expectations, counts, lineage, withRows, current } = read;
  const spec = tableSpec(table);
  const stale = new Map<IsoDate, StaleCause[]>();
  const windows = spec.upstream.map((dep) => ({ dep, gaps: upstreamGaps(upstream.get(dep.table), tolerance) }));
  for (const date of withRows) {
    const now = current.byDate.get(date);
    const drift = now ? lineageDrift(lineage.get(date) ?? { min: null, max: null, untrackedRows: 1 }, now) : null;
    const causes = drift ? causesOfDrift(drift) : [];
    for (const { dep, gaps } of windows) causes.push(...upstreamCauses(dep, date, gaps));
    if (causes.length > 0) stale.set(date, causes);
  }
  const queries = [
    { family: 'row_counts' as const, ...read.counted },
    ...(current.query ? [{ family: 'input_lineage' as const, ...current.query }] : []),
  ];
  return { table, start: range.start, end: range.end, expectations, counts, stale, queries };
}

interface UpstreamGaps {
  /** Sorted dates of the upstream table that are missing or short, and that are stale. */
  readonly incomplete: readonly IsoDate[];
  readonly stale: readonly IsoDate[];
}

function upstreamGaps(assessment: TableAssessment | undefined, tolerance: number): UpstreamGaps {
  const incomplete: IsoDate[] = [];
  const stale: IsoDate[] = [];
  for (const e of assessment?.expectations ?? []) {
    const rows = assessment?.counts.get(e.date)?.rows ?? 0;
    if (!rowsMatch(rows, e.expectedRows, tolerance)) incomplete.push(e.date);
    else if (assessment?.stale.has(e.date)) stale.push(e.date);
  }
  return { incomplete: incomplete.sort(), stale: stale.sort() };
}

/** Upstream dates a partition for `date` reads that are missing, short or stale: each kind as one cause. */
function upstreamCauses(dep: UpstreamDependency, date: IsoDate, gaps: UpstreamGaps): StaleCause[] {
  const { from, to } = upstreamWindow(dep, date);
  const causes: StaleCause[] = [];
  const incomplete = within(gaps.incomplete, from, to);
  if (incomplete) causes.push({ cause: 'input_incomplete', input: dep.table, ...incomplete });
  const stale = within(gaps.stale, from, to);
  if (stale) causes.push({ cause: 'input_stale', input: dep.table, ...stale });
  return causes;
}

/** The first of the sorted dates in [from, to] and how many there are, by binary search; null when none. */
function within(sorted: readonly IsoDate[], from: IsoDate, to: IsoDate): { firstDate: IsoDate; dates: number } | null {
  const lo = lowerBound(sorted, from);
  const hi = lowerBound(sorted, addDaysIso(to, 1));
  return hi > lo ? { firstDate: sorted[lo] as IsoDate, dates: hi - lo } : null;
}

function lowerBound(sorted: readonly IsoDate[], value: IsoDate): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as IsoDate) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
