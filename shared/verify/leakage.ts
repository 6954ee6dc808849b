import type { Row, Warehouse } from '../ports/warehouse.js';
import type { SqlContext } from '../sql/dialect.js';
import { renderQuery } from '../sql/render.js';
import { LIMITS } from '../config/defaults.js';
import { RAW_TABLE_SPECS } from '../tables/raw-schemas.js';
import { transformColumns } from '../tables/analytics/columns.js';
import { isRawTable, type RawTableName, type RunMode } from '../tables/names.js';
import type { AnalyticsTableSpec } from '../tables/types.js';
import type { IsoDate } from '../util/dates.js';
import { toText } from './sql/values.js';
import type { Key } from './problems.js';

/**
 * The leakage guard. The contract says a context feature uses only data from dates strictly before the row's
 * game_date D. To prove it for a date, the partition is built again from inputs where everything D's features
 * must not see is taken away or changed, and compared with the stored partition: any difference is a feature
 * that read what it must not.
 *
 * What the rebuild of D sees:
 * - every input dated after D: nothing;
 * - upstream analytics partitions (player and defense summaries): those dated before D only;
 * - the schedule rows dated D: the game as scheduled (status 1, no scores), which the contract allows;
 * - the gamebook rows dated D: who is listed for the game and for which team, without a single stat;
 * - prop lines and game lines dated D: snapshots taken before 00:00 UTC of D as they are, later ones with
 *   their line moved by 1000 (a feature reading them would change);
 * - injury reports for D: those published before 00:00 UTC of D as they are, later ones all `out`;
 * - team box scores dated D: nothing.
 */

/** Tables whose features are built from the history before their date: what the guard checks. */
export function readsHistory(spec: AnalyticsTableSpec): boolean {
  return spec.upstream.length > 0 || spec.rawReads.some((r) => r.window.kind !== 'same_date');
}

/** Up to `count` dates spread over the sorted dates (first, last and evenly between): the same scope, the same sample. */
export function sampleDates(dates: readonly IsoDate[], count: number): IsoDate[] {
  const sorted = [...new Set(dates)].sort();
  if (count <= 0 || sorted.length === 0) return [];
  if (sorted.length <= count) return sorted;
  if (count === 1) return [sorted[sorted.length - 1] as IsoDate];
  const picked = new Set<IsoDate>();
  for (let i = 0; i < count; i += 1) picked.add(sorted[Math.round((i * (sorted.length - 1)) / (count - 1))] as IsoDate);
  return [...picked];
}

const AFTER_MIDNIGHT_LINE_SHIFT = 1000;

/** The statistics of a gamebook row: what a context feature may read of earlier games only. */
const GAMEBOOK_STATS = [
  'minutes', 'points', 'fg_made', 'fg_attempted', 'three_pt_made', 'three_pt_attempted', 'ft_made', 'ft_attempted',
  'offensive_rebounds', 'defensive_rebounds', 'assists', 'steals', 'blocks', 'turnovers', 'personal_fouls', 'plus_minus',
] as const;

/** The raw table as the rebuild of D sees it (see above), as a derived table with the table's columns. */
function maskedRaw(ctx: SqlContext, table: RawTableName): string {
  const { d } = ctx;
  const spec = RAW_TABLE_SPECS[table];
  const leak = d.param('leak_date', 'DATE');
  const from = d.param('leak_from', 'DATE');
  const onD = `${spec.dateColumn} = ${leak}`;
  const midnight = d.utcMidnight(leak);
  const replaced: Partial<Record<string, string>> = {};
  switch (table) {
    case 'nbac_schedule':
      replaced.home_score = `CASE WHEN ${onD} THEN ${d.cast('NULL', 'INT64')} ELSE home_score END`;
      replaced.away_score = `CASE WHEN ${onD} THEN ${d.cast('NULL', 'INT64')} ELSE away_score END`;
      replaced.game_status = `CASE WHEN ${onD} AND game_status <> 4 THEN 1 ELSE game_status END`;
      break;
    case 'nbac_gamebook_player_stats':
      for (const stat of GAMEBOOK_STATS) replaced[stat] = `CASE WHEN ${onD} THEN ${d.cast('NULL', stat === 'minutes' ? 'STRING' : 'INT64')} ELSE ${stat} END`;
      break;
    case 'odds_api_player_points_props':
      replaced.points_line = `CASE WHEN snapshot_timestamp >= ${midnight} THEN points_line + ${AFTER_MIDNIGHT_LINE_SHIFT} ELSE points_line END`;
      break;
    case 'odds_api_game_lines':
      replaced.point = `CASE WHEN snapshot_timestamp >= ${midnight} THEN point + ${AFTER_MIDNIGHT_LINE_SHIFT} ELSE point END`;
      break;
    case 'nbac_injury_report':
      replaced.injury_status = `CASE WHEN report_timestamp >= ${midnight} THEN 'out' ELSE injury_status END`;
      break;
    case 'nbac_team_boxscore':
      break;
  }
  const columns = spec.columns.map((c) => `${replaced[c.name] ?? c.name} AS ${c.name}`).join(', ');
  // Box scores of D are the game's result: none of them. Every read is bounded on the partition column.
  const upTo = table === 'nbac_team_boxscore' ? `${spec.dateColumn} < ${leak}` : `${spec.dateColumn} <= ${leak}`;
  const bounded = `${spec.partitionColumn} BETWEEN ${from} AND ${leak}`;
  return `(SELECT ${columns} FROM ${ctx.raw(table)} WHERE ${bounded} AND ${upTo})`;
}

/** The SqlContext of the rebuild of D: raw inputs masked, upstream analytics tables before D only. */
export function leakageContext(ctx: SqlContext): SqlContext {
  const { d } = ctx;
  return {
    d,
    raw: (table) => {
      if (!isRawTable(table)) throw new Error(`not a raw table: ${table}`);
      return maskedRaw(ctx, table);
    },
    analytics: (table) =>
      `(SELECT * FROM ${ctx.analytics(table)} WHERE game_date BETWEEN ${d.param('leak_from', 'DATE')} AND ${d.dateSubDays(d.param('leak_date', 'DATE'), 1)})`,
  };
}

export interface LeakageFinding {
  readonly date: IsoDate;
  /** Keys whose rows differ, are only stored, or only rebuilt. */
  readonly differingRows: number;
  /** Columns that differ on those rows (a key missing on one side counts as every column). */
  readonly columns: readonly string[];
  readonly sample: readonly Key[];
}

const BOOKKEEPING = new Set(['run_id', 'run_mode', 'processed_at']);
const SAMPLE_KEYS = 10;

/** Pure: the differences between the stored rows of a date and its masked rebuild, by key. */
export function compareRebuild(spec: AnalyticsTableSpec, date: IsoDate, stored: readonly Row[], rebuilt: readonly Row[]): LeakageFinding | null {
  const columns = transformColumns(spec.columns).map((c) => c.name).filter((c) => !BOOKKEEPING.has(c));
  const keyOf = (row: Row): Key => Object.fromEntries(spec.key.map((k) => [k, toText(row[k])]));
  const byKey = (rows: readonly Row[]) => new Map(rows.map((r) => [JSON.stringify(keyOf(r)), r]));
  const left = byKey(stored);
  const right = byKey(rebuilt);
  const differing = new Map<string, Key>();
  const changedColumns = new Set<string>();
  for (const id of new Set([...left.keys(), ...right.keys()])) {
    const a = left.get(id);
    const b = right.get(id);
    if (!a || !b) {
      differing.set(id, keyOf((a ?? b) as Row));
      for (const c of columns) changedColumns.add(c);
      continue;
    }
    for (const c of columns) {
      if (!sameValue(a[c], b[c])) {
        differing.set(id, keyOf(a));
        changedColumns.add(c);
      }
    }
  }
  if (differing.size === 0) return null;
  return {
    date,
    differingRows: differing.size,
    columns: columns.filter((c) => changedColumns.has(c)),
    sample: [...differing.values()].slice(0, SAMPLE_KEYS),
  };
}

/** Equal as values: decimals compared as numbers (the stored column and the select may print them differently). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== null && nb !== null) return Math.abs(na - nb) < 1e-9;
  return JSON.stringify(a) === JSON.stringify(b);
}

function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return null;
}

export interface LeakageCheck {
  readonly checkedDates: readonly IsoDate[];
  readonly findings: readonly LeakageFinding[];
  readonly queries: ReadonlyArray<{ readonly label: string; readonly bytesProcessed: number | null }>;
}

/**
 * Rebuild each of `dates` from masked inputs and compare with what is stored. `spec` is the table's as
 * registered; a test passes a transform with a planted leak to see it caught.
 */
export async function checkLeakage(warehouse: Warehouse, spec: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<LeakageCheck> {
  const ctx = warehouse.context(mode);
  const findings: LeakageFinding[] = [];
  const queries: Array<{ label: string; bytesProcessed: number | null }> = [];
  for (const date of dates) {
    const params = { leak_date: date, leak_from: LIMITS.earliestDate, date_param: date };
    const rebuilt = await warehouse.query(renderQuery(
      `leakage_rebuild_${spec.name}`,
      `SELECT * FROM (${spec.transform(leakageContext(ctx))}) AS t WHERE t.game_date = ${ctx.d.param('date_param', 'DATE')}`,
      { ...params, start_date: date, end_date: date, run_id: 'leakage-check', run_mode: mode, processed_at: new Date(0).toISOString() },
      { leak_date: 'DATE', leak_from: 'DATE', date_param: 'DATE' },
    ));
    const stored = await warehouse.query(renderQuery(
      `leakage_stored_${spec.name}`,
      `SELECT * FROM ${ctx.analytics(spec.name)} WHERE game_date = ${ctx.d.param('date_param', 'DATE')}`,
      { date_param: date },
      { date_param: 'DATE' },
    ));
    queries.push({ label: `leakage_rebuild_${spec.name}`, bytesProcessed: rebuilt.bytesProcessed ?? null });
    queries.push({ label: `leakage_stored_${spec.name}`, bytesProcessed: stored.bytesProcessed ?? null });
    const finding = compareRebuild(spec, date, stored.rows, rebuilt.rows);
    if (finding) findings.push(finding);
  }
  return { checkedDates: [...dates], findings, queries };
}
