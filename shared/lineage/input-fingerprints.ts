import type { Warehouse } from '../ports/warehouse.js';
import type { ParamType, RenderedQuery, SqlContext } from '../sql/dialect.js';
import { renderQuery } from '../sql/render.js';
import { RAW_TABLE_SPECS } from '../tables/raw-schemas.js';
import { tableSpec } from '../tables/registry.js';
import { INJURY_REPORT_LOOKBACK_DAYS, MAX_SEASON_SPAN_DAYS } from '../tables/sql-fragments.js';
import type { RunMode } from '../tables/names.js';
import type { AnalyticsTableSpec } from '../tables/types.js';
import { LIMITS } from '../config/defaults.js';
import { addDaysIso, type IsoDate } from '../util/dates.js';
import { toInt, toText } from '../verify/sql/values.js';
import { digest, type PartitionLineage } from './lineage-record.js';
import { appendTo } from '../util/group.js';

/**
 * Which dates of an input a partition for game date D reads:
 * - `same_date`: D;
 * - `season_to_date`: the dates of D's season up to D, and the `daysBefore` days before D whatever their season;
 * - `before`: the `days` days before D (`all`: every earlier date), and D itself when `sameDate`.
 */
export type InputWindow =
  | { readonly kind: 'same_date' }
  | { readonly kind: 'season_to_date'; readonly daysBefore: number }
  | { readonly kind: 'before'; readonly days: number | 'all'; readonly sameDate: boolean };

/** One input of a table, as its lineage names and fingerprints it. */
export interface InputSource {
  /** The table's name: the key of the lineage's `inputs`. */
  readonly name: string;
  readonly kind: 'raw' | 'analytics';
  /** The column that places a row on a date. */
  readonly dateColumn: string;
  /** The raw table's partition column when it is not the date column (filtered too, with a bounded range). */
  readonly partitionColumn: string;
  /** The columns fingerprinted: every column of a raw table, the columns the transform reads of an upstream one. */
  readonly columns: readonly string[];
  readonly window: InputWindow;
}

/** Every input of a table: its raw reads, then its upstream analytics tables. One list, read by writes and verification. */
export function inputSourcesOf(spec: AnalyticsTableSpec): InputSource[] {
  const raw = spec.rawReads.map((read): InputSource => {
    const rawSpec = RAW_TABLE_SPECS[read.table];
    return {
      name: read.table,
      kind: 'raw',
      dateColumn: rawSpec.dateColumn,
      partitionColumn: rawSpec.partitionColumn,
      columns: rawSpec.columns.map((c) => c.name),
      window: read.window,
    };
  });
  const upstream = spec.upstream.map((dep): InputSource => ({
    name: dep.table,
    kind: 'analytics',
    dateColumn: tableSpec(dep.table).partitionColumn,
    partitionColumn: tableSpec(dep.table).partitionColumn,
    columns: dep.columns,
    window: { kind: 'before', days: dep.lookbackDays, sameDate: dep.sameDate },
  }));
  return [...raw, ...upstream];
}

/** The dates of an input that a job writing [start, end] must fingerprint. */
export function inputRange(window: InputWindow, start: IsoDate, end: IsoDate): { from: IsoDate; to: IsoDate } {
  switch (window.kind) {
    case 'same_date':
      return { from: start, to: end };
    case 'season_to_date':
      // A season never spans more than MAX_SEASON_SPAN_DAYS, so its first date is within that of any of its dates.
      return { from: addDaysIso(start, -Math.max(MAX_SEASON_SPAN_DAYS, window.daysBefore)), to: end };
    case 'before':
      return {
        from: window.days === 'all' ? LIMITS.earliestDate : addDaysIso(start, -window.days),
        to: window.sameDate ? end : addDaysIso(end, -1),
      };
  }
}

/** The input's rows of one date, as counted and fingerprinted by the warehouse. */
export interface InputDate {
  readonly date: IsoDate;
  readonly rows: number;
  readonly fingerprint: string;
  /** The schedule's season of the date's games; null for other inputs. */
  readonly season: number | null;
}

/**
 * One query: per input of the table, per date a job of [start, end] reads, the rows and a fingerprint of them.
 * Every raw table is read through a bounded range of its partition column.
 */
export function inputFingerprintQuery(spec: AnalyticsTableSpec, ctx: SqlContext, start: IsoDate, end: IsoDate): RenderedQuery {
  const { d } = ctx;
  const params: Record<string, string> = {};
  const types: Record<string, ParamType> = {};
  const parts = inputSourcesOf(spec).map((source, i) => {
    const { from, to } = inputRange(source.window, start, end);
    const [fromParam, toParam] = [`input_${i}_from`, `input_${i}_to`];
    params[fromParam] = from;
    params[toParam] = to;
    types[fromParam] = 'DATE';
    types[toParam] = 'DATE';
    const date = source.dateColumn;
    const filters = [`${date} BETWEEN ${d.param(fromParam, 'DATE')} AND ${d.param(toParam, 'DATE')}`];
    if (source.partitionColumn !== date) {
      // Injury reports: partitioned by report_date, read for a game from the reports of the days before it.
      filters.push(`${source.partitionColumn} BETWEEN ${d.dateSubDays(d.param(fromParam, 'DATE'), INJURY_REPORT_LOOKBACK_DAYS)} AND ${d.param(toParam, 'DATE')}`);
      filters.push(`${source.partitionColumn} BETWEEN ${d.dateSubDays(date, INJURY_REPORT_LOOKBACK_DAYS)} AND ${date}`);
    }
    const table = source.kind === 'raw' ? ctx.raw(source.name) : ctx.analytics(source.name);
    const season = source.name === 'nbac_schedule' ? 'MAX(season_year)' : d.cast('NULL', 'INT64');
    return `SELECT '${source.name}' AS input_name, ${d.formatDate(date)} AS input_date, ${season} AS season_year,
  COUNT(*) AS n_rows, ${d.fingerprintAgg(source.columns)} AS fingerprint
FROM ${table}
WHERE ${filters.join('\n  AND ')}
GROUP BY ${date}`;
  });
  return renderQuery(`input_fingerprints_${spec.name}`, parts.join('\nUNION ALL\n'), params, types);
}

export function parseInputFingerprints(rows: readonly Record<string, unknown>[]): Map<string, InputDate[]> {
  const byInput = new Map<string, InputDate[]>();
  for (const row of rows) {
    const name = toText(row.input_name);
    const date = toText(row.input_date);
    if (name === null || date === null) throw new TypeError('input fingerprint row without an input or a date');
    const list = byInput.get(name) ?? [];
    list.push({
      date,
      rows: toInt(row.n_rows),
      fingerprint: toText(row.fingerprint) ?? '0',
      season: row.season_year === null || row.season_year === undefined ? null : toInt(row.season_year),
    });
    byInput.set(name, list);
  }
  for (const list of byInput.values()) list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return byInput;
}

const entry = (e: InputDate) => `${e.date}|${e.rows}|${e.fingerprint}`;

/** How many of `dates` (sorted) come before `date`, or up to it with `inclusive`: binary search. */
function countBefore(dates: readonly InputDate[], date: IsoDate, inclusive: boolean): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const d = (dates[mid] as InputDate).date;
    if (d < date || (inclusive && d === date)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The entries of `dates` (sorted) from `from` up to `to` (before it, or at it with `inclusive`): a slice, not a scan. */
function between(dates: readonly InputDate[], from: IsoDate, to: IsoDate, inclusive: boolean): readonly InputDate[] {
  return dates.slice(countBefore(dates, from, false), countBefore(dates, to, inclusive));
}

/** A running digest over sorted dates: `at(d)` is the digest of every date < d (or <= d with `inclusive`). */
class PrefixDigests {
  private readonly chain: string[] = [];
  constructor(private readonly dates: readonly InputDate[]) {
    let state = 'start';
    for (const e of dates) {
      state = digest(`${state}|${entry(e)}`);
      this.chain.push(state);
    }
  }

  at(date: IsoDate, inclusive: boolean): string {
    const n = countBefore(this.dates, date, inclusive);
    return n === 0 ? 'start' : (this.chain[n - 1] as string);
  }
}

/** Pure: each date's fingerprint of one input (`dates` sorted, as parseInputFingerprints leaves them), over the dates its window reads. */
export function windowDigests(window: InputWindow, dates: readonly InputDate[], targets: readonly IsoDate[]): Map<IsoDate, string> {
  const out = new Map<IsoDate, string>();
  if (window.kind === 'same_date') {
    const byDate = new Map(dates.map((e) => [e.date, e]));
    for (const d of targets) {
      const e = byDate.get(d);
      out.set(d, digest(e ? entry(e) : `${d}|0|0`));
    }
    return out;
  }
  if (window.kind === 'before') {
    if (window.days === 'all') {
      const prefix = new PrefixDigests(dates);
      for (const d of targets) out.set(d, prefix.at(d, window.sameDate));
      return out;
    }
    for (const d of targets) {
      const from = addDaysIso(d, -window.days);
      out.set(d, digest(between(dates, from, d, window.sameDate).map(entry).join(',')));
    }
    return out;
  }
  // season_to_date: a running digest per season, plus the dates of other seasons within daysBefore.
  const bySeason = new Map<number, InputDate[]>();
  for (const e of dates) if (e.season !== null) appendTo(bySeason, e.season, e);
  const prefixes = new Map([...bySeason].map(([season, list]) => [season, new PrefixDigests(list)]));
  const seasonOf = new Map(dates.map((e) => [e.date, e.season]));
  for (const d of targets) {
    const season = seasonOf.get(d) ?? null;
    const from = addDaysIso(d, -window.daysBefore);
    const others = between(dates, from, d, true).filter((e) => e.season !== season).map(entry);
    const own = season === null ? 'none' : (prefixes.get(season)?.at(d, true) ?? 'none');
    out.set(d, digest(`${season ?? 'none'}|${own}|${others.join(',')}`));
  }
  return out;
}

/** Pure: the lineage of each target date, from the per-date fingerprints of every input. */
export function lineageByDate(spec: AnalyticsTableSpec, byInput: ReadonlyMap<string, readonly InputDate[]>, targets: readonly IsoDate[]): Map<IsoDate, PartitionLineage> {
  const perInput = inputSourcesOf(spec).map((source) => [source.name, windowDigests(source.window, byInput.get(source.name) ?? [], targets)] as const);
  const out = new Map<IsoDate, PartitionLineage>();
  for (const date of targets) {
    const inputs: Record<string, string> = {};
    for (const [name, digests] of perInput) inputs[name] = digests.get(date) as string;
    out.set(date, { v: 1, transform: `${spec.name}@${spec.transformVersion}`, inputs });
  }
  return out;
}

/**
 * The lineage of each of `dates` from the inputs as the warehouse holds them now: what a job writes beside the
 * partitions (computed before its transform reads the inputs, so a change in between makes the partition look
 * stale, never fresh), and what verification compares the recorded lineage with.
 */
export async function currentLineage(warehouse: Warehouse, spec: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<CurrentLineage> {
  if (dates.length === 0) return { byDate: new Map(), query: null };
  const sorted = [...new Set(dates)].sort();
  const query = inputFingerprintQuery(spec, warehouse.context(mode), sorted[0] as IsoDate, sorted[sorted.length - 1] as IsoDate);
  const result = await warehouse.query(query);
  return {
    byDate: lineageByDate(spec, parseInputFingerprints(result.rows), sorted),
    query: { label: query.label, bytesProcessed: result.bytesProcessed ?? null },
  };
}

export interface CurrentLineage {
  readonly byDate: ReadonlyMap<IsoDate, PartitionLineage>;
  /** The query that read the inputs; null when there was nothing to read. */
  readonly query: { readonly label: string; readonly bytesProcessed: number | null } | null;
}
