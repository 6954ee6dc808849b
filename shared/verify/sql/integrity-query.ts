import type { RenderedQuery, SqlContext } from '../../sql/dialect.js';
import { renderQuery } from '../../sql/render.js';
import type { AnalyticsTableSpec } from '../../tables/types.js';
import type { IsoDate } from '../../util/dates.js';
import { VERIFY_LIMITS } from '../limits.js';
import type { Key, Problem } from '../problems.js';
import { latestScheduleCte, repeatedKeysCtes } from '../../tables/sql-fragments.js';
import { nullChecksOf } from '../conditional-criticals.js';
import { inRange } from './in-range.js';
import { toInt, toText } from './values.js';

/** Columns naming a team of the game; the first present of the first two is the row's own team. */
const OWN_TEAM_COLUMNS = ['team_abbr', 'defending_team_abbr'] as const;
const OPPONENT_COLUMN = 'opponent_team_abbr';

interface Layout {
  readonly key: readonly string[];
  readonly nullChecks: ReadonlyArray<{ column: string; when: string | null }>;
  readonly teamColumns: readonly string[];
}

function layoutOf(spec: AnalyticsTableSpec): Layout {
  const names = new Set(spec.columns.map((c) => c.name));
  const own = OWN_TEAM_COLUMNS.find((c) => names.has(c));
  return {
    key: spec.key,
    nullChecks: nullChecksOf(spec.name, spec.columns),
    teamColumns: [...(own ? [own] : []), ...(names.has(OPPONENT_COLUMN) ? [OPPONENT_COLUMN] : [])],
  };
}

/** Which team column is wrong, as SQL over the row `t` joined to its schedule game `s`. */
function badTeamCondition(column: string, own: string | undefined): string {
  const notInGame = `t.${column} NOT IN (s.home_team_abbr, s.away_team_abbr)`;
  const sameAsOwn = column === OPPONENT_COLUMN && own ? ` OR t.${column} = t.${own}` : '';
  return `(s.game_id IS NOT NULL AND t.${column} IS NOT NULL AND (${notInGame}${sameAsOwn}))`;
}

/**
 * One scan of the table's key, critical and team columns in range, joined to the schedule: duplicate
 * keys, NULLs per critical column, game ids not in the schedule (on that date), and team columns that
 * are not one of the game's two teams. Exact totals ride on every returned row (window sums); only
 * a few sample keys per finding come back.
 */
export function integrityQuery(spec: AnalyticsTableSpec, ctx: SqlContext, scope: { start: IsoDate; end: IsoDate }): RenderedQuery {
  const { d } = ctx;
  const layout = layoutOf(spec);
  const own = layout.teamColumns[0] === OPPONENT_COLUMN ? undefined : layout.teamColumns[0];
  const read = [
    ...new Set(['game_id', 'game_date', ...layout.key, ...layout.nullChecks.flatMap((n) => (n.when ? [n.column, n.when] : [n.column])), ...layout.teamColumns]),
  ];
  const keyAliases = layout.key.map((_, i) => `k_${i}`);
  const keyOrder = keyAliases.join(', ');
  const badTeams = layout.teamColumns.map((c) => badTeamCondition(c, own));
  const anyBadTeam = badTeams.length > 0 ? badTeams.join(' OR ') : 'FALSE';
  const keyText = (c: string) => {
    const type = spec.columns.find((col) => col.name === c)?.type ?? 'STRING';
    return type === 'STRING' ? `t.${c}` : d.cast(`t.${c}`, 'STRING');
  };

  // Each finding: the flag on a key group, its exact total over all groups, and a rank for samples.
  const findings: Array<{ flag: string; total: string; name: string; limit: number }> = [
    { flag: 'n_rows > 1', total: 'SUM(CASE WHEN n_rows > 1 THEN 1 ELSE 0 END)', name: 'dup', limit: VERIFY_LIMITS.keySamples },
    ...layout.nullChecks.map((_, i) => ({ flag: `null_${i} > 0`, total: `SUM(null_${i})`, name: `null_${i}`, limit: VERIFY_LIMITS.nullSampleKeys })),
    { flag: 'unknown_game > 0', total: 'SUM(unknown_game)', name: 'unknown_game', limit: VERIFY_LIMITS.keySamples },
    { flag: 'bad_team > 0', total: 'SUM(bad_team)', name: 'bad_team', limit: VERIFY_LIMITS.keySamples },
  ];
  const windows = [
    ...findings.flatMap((f) => [
      `${f.total} OVER () AS ${f.name}_total`,
      `ROW_NUMBER() OVER (PARTITION BY ${f.flag} ORDER BY ${keyOrder}) AS ${f.name}_rank`,
    ]),
    'SUM(CASE WHEN n_rows > 1 THEN n_rows - 1 ELSE 0 END) OVER () AS dup_extra_rows',
  ];

  const rowFlags = [
    ...layout.nullChecks.map((n, i) => ({ name: `null_${i}`, sql: n.when ? `t.${n.when} AND t.${n.column} IS NULL` : `t.${n.column} IS NULL` })),
    { name: 'unknown_game', sql: 's.game_id IS NULL' },
    { name: 'bad_team', sql: anyBadTeam },
  ];

  // Only the rows of flagged keys are grouped with a count per finding: repeated keys (`repeatedKeysCtes`, which
  // also counts a key with a NULL part as repeated) and rows with a finding. Grouping every row with a count per
  // finding was most of this query: 0.24 s of 0.31 s for player_game_summary on the sample, where nothing is flagged.
  const sql = `WITH ${latestScheduleCte(ctx)},
t AS (
  SELECT ${read.join(', ')}
  FROM ${ctx.analytics(spec.name)}
  WHERE ${inRange(ctx)}
),
r AS (
  SELECT ${layout.key.map((c, i) => `${keyText(c)} AS k_${i}`).join(', ')},
    ${rowFlags.map((f) => `${f.sql} AS ${f.name}`).join(',\n    ')},
    CASE ${layout.teamColumns.map((c, i) => `WHEN ${badTeams[i]} THEN '${c}'`).join(' ') || 'WHEN FALSE THEN NULL'} END AS bad_team_column,
    CASE ${layout.teamColumns.map((c, i) => `WHEN ${badTeams[i]} THEN t.${c}`).join(' ') || 'WHEN FALSE THEN NULL'} END AS bad_team_value,
    s.home_team_abbr, s.away_team_abbr
  FROM t
  LEFT JOIN schedule AS s ON s.game_id = t.game_id AND s.game_date = t.game_date
),
${repeatedKeysCtes(d, 'r', 'r', keyAliases)},
g AS (
  SELECT ${keyOrder},
    COUNT(*) AS n_rows,
    ${rowFlags.map((f) => `${d.countIf(f.name)} AS ${f.name}`).join(',\n    ')},
    MIN(bad_team_column) AS bad_team_column,
    MIN(bad_team_value) AS bad_team_value,
    MIN(home_team_abbr) AS home_team,
    MIN(away_team_abbr) AS away_team
  FROM r_marked
  WHERE ${['is_repeated', ...rowFlags.map((f) => f.name)].join(' OR ')}
  GROUP BY ${keyOrder}
),
flagged AS (
  SELECT g.*,
    ${windows.join(',\n    ')}
  FROM g
  WHERE ${findings.map((f) => f.flag).join(' OR ')}
)
SELECT * FROM flagged
WHERE ${findings.map((f) => `(${f.flag} AND ${f.name}_rank <= ${f.limit})`).join('\n  OR ')}`;
  return renderQuery(`verify_integrity_${spec.name}`, sql, { start_date: scope.start, end_date: scope.end });
}

type Row = Record<string, unknown>;

/** The integrity findings as problems, in a fixed order: duplicates, NULLs by column, unknown games, wrong teams. */
export function parseIntegrity(spec: AnalyticsTableSpec, rows: readonly Row[]): Problem[] {
  const layout = layoutOf(spec);
  const first = rows[0];
  if (!first) return [];
  const keyOf = (row: Row): Key => Object.fromEntries(layout.key.map((c, i) => [c, toText(row[`k_${i}`])]));
  const sample = (flag: (row: Row) => boolean, rank: string) =>
    rows.filter(flag).sort((a, b) => toInt(a[rank]) - toInt(b[rank]));

  const problems: Problem[] = [];
  const dupKeys = toInt(first.dup_total);
  if (dupKeys > 0) {
    problems.push({
      kind: 'duplicate_keys',
      keys: dupKeys,
      extraRows: toInt(first.dup_extra_rows),
      sample: sample((r) => toInt(r.n_rows) > 1, 'dup_rank').map(keyOf),
    });
  }
  layout.nullChecks.forEach(({ column, when }, i) => {
    const total = toInt(first[`null_${i}_total`]);
    if (total === 0) return;
    problems.push({ kind: 'null_critical', column, when, rows: total, sample: sample((r) => toInt(r[`null_${i}`]) > 0, `null_${i}_rank`).map(keyOf) });
  });
  const unknown = toInt(first.unknown_game_total);
  if (unknown > 0) {
    problems.push({ kind: 'unknown_game', rows: unknown, sample: sample((r) => toInt(r.unknown_game) > 0, 'unknown_game_rank').map(keyOf) });
  }
  const badTeams = toInt(first.bad_team_total);
  if (badTeams > 0) {
    problems.push({
      kind: 'team_not_in_game',
      rows: badTeams,
      sample: sample((r) => toInt(r.bad_team) > 0, 'bad_team_rank').map((r) => ({
        key: keyOf(r),
        column: toText(r.bad_team_column) ?? '',
        value: toText(r.bad_team_value),
        homeTeam: toText(r.home_team),
        awayTeam: toText(r.away_team),
      })),
    });
  }
  return problems;
}
