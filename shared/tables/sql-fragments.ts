import type { Dialect, SqlContext } from '../sql/dialect.js';

/**
 * Pieces of SQL the five analytics tables share, written once against the Dialect so the same text runs
 * on DuckDB and is valid GoogleSQL. Only plain constructs: CTEs, window functions, LEFT JOINs, CASE.
 *
 * Decisions every table relies on:
 * - The latest schedule row per game_id (max processed_at) is the truth: its date, teams, status, scores.
 *   A game is final when that row has game_status 3 and scheduled when it is anything but 4 (postponed).
 * - Raw box score and gamebook rows may be repeated across scrapes: the latest processed_at per key wins.
 * - Every ROW_NUMBER ordering ends in columns that are never NULL, so ties never depend on storage order.
 * - Raw fact tables are read only for game dates in the job ([start_date, end_date]) and matched to the
 *   schedule by game_id: on BigQuery that filter is what prunes their partitions.
 */

export const GAME_STATUS_FINAL = 3;
export const GAME_STATUS_POSTPONED = 4;
/** A team listing fewer active players than this in a final game's gamebook has incomplete source data. */
export const MIN_ACTIVE_PLAYERS = 5;
/**
 * Injury reports are partitioned by report_date. A game reads the reports published in this many days before
 * it: the job's read of report dates starts this far before its first game date (pruning partitions), and each
 * game keeps only its own window, so a partition is the same whichever job (of one date or many) writes it.
 */
export const INJURY_REPORT_LOOKBACK_DAYS = 14;

/**
 * No season spans more than this many days (the longest, 2019-20 with its bubble playoffs, ran 355 days:
 * 2019-10-22..2020-10-11), so every row of a game, and every game of a season, lies within this many days of
 * any other. Schedule reads are bounded by it: the service needs no unbounded scan of a raw table.
 */
export const MAX_SEASON_SPAN_DAYS = 366;

const FINAL = `game_status = ${GAME_STATUS_FINAL}`;
const NOT_POSTPONED = `game_status <> ${GAME_STATUS_POSTPONED}`;

/** The job's parameters, as the dialect spells them. */
export interface JobParams {
  readonly startDate: string;
  readonly endDate: string;
  readonly runId: string;
  readonly runMode: string;
  readonly processedAt: string;
}

export function jobParams(d: Dialect): JobParams {
  return {
    startDate: d.param('start_date', 'DATE'),
    endDate: d.param('end_date', 'DATE'),
    runId: d.param('run_id', 'STRING'),
    runMode: d.param('run_mode', 'STRING'),
    processedAt: d.param('processed_at', 'TIMESTAMP'),
  };
}

export function withCtes(ctes: readonly string[], select: string): string {
  return `WITH\n${ctes.join(',\n')}\n${select}`;
}

export function inJobDates(d: Dialect, dateExpr: string): string {
  const p = jobParams(d);
  return `${dateExpr} BETWEEN ${p.startDate} AND ${p.endDate}`;
}

/** run_id, run_mode, processed_at: the last three columns of every analytics table. */
export function runColumns(d: Dialect): string {
  const p = jobParams(d);
  return `${p.runId} AS run_id, ${p.runMode} AS run_mode, ${p.processedAt} AS processed_at`;
}

const SCHEDULE_COLUMNS =
  'game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status';

/**
 * `schedule`: the latest row per game_id. Ties on processed_at prefer the most advanced status, then a row
 * with scores. Only the games a job can need are ranked (the window is the costly part): those with a row
 * dated in the job or, with `historyDays`, also every game of the seasons the job touches and of the
 * `historyDays` days before it. All rows of those games are ranked, whatever their date, because a
 * rescheduled game's latest row may carry another date than its earlier ones.
 */
export function latestScheduleCte(ctx: SqlContext, historyDays?: number): string {
  const { d } = ctx;
  const p = jobParams(d);
  const raw = ctx.raw('nbac_schedule');
  const needed = historyDays === undefined
    ? `SELECT game_id FROM ${raw} WHERE ${inJobDates(d, 'game_date')}`
    : `SELECT game_id FROM ${raw}
      WHERE ${scheduleWindow(d, historyDays)}
        AND (season_year IN (SELECT season_year FROM ${raw} WHERE ${inJobDates(d, 'game_date')})
          OR game_date BETWEEN ${d.dateSubDays(p.startDate, historyDays)} AND ${p.endDate})`;
  return latestRowsCte(ctx.d, {
    name: 'schedule', columns: SCHEDULE_COLUMNS, source: raw, ranked: 'ranked_schedule', keys: ['game_id'],
    orderBy: `processed_at DESC, game_status DESC, COALESCE(home_score, -1) DESC, COALESCE(away_score, -1) DESC,
          game_date DESC, home_team_abbr, away_team_abbr`,
    where: `${scheduleWindow(d, historyDays ?? 0)} AND game_id IN (${needed})`,
  });
}

/**
 * Two CTEs over `source`: `<prefix>_repeated_keys`, the keys with more than one row, and `<prefix>_marked`, every
 * row of `source` with `is_repeated`: true for a row whose key has other rows, and for a row with a NULL part in
 * its key (an equality join cannot match it, while GROUP BY and a window's PARTITION BY group NULLs together, so
 * such rows are always treated as repeated). What is not repeated is alone under its key and can skip any work
 * per key: the latest-row ranking below and the verification's grouping of flagged keys both use it.
 */
export function repeatedKeysCtes(d: Dialect, prefix: string, source: string, keys: readonly string[]): string {
  const repeated = `${prefix}_repeated_keys`;
  const marked = `${prefix}_marked`;
  return `${repeated} AS (
  SELECT ${keys.map((k) => `${k} AS repeated_${k}`).join(', ')}
  FROM ${source}
  GROUP BY ${keys.join(', ')}
  HAVING COUNT(*) > 1
),
${d.inlineCte(marked)} (
  SELECT s.*, (${[`r.repeated_${keys[0]} IS NOT NULL`, ...keys.map((k) => `s.${k} IS NULL`)].join(' OR ')}) AS is_repeated
  FROM ${source} AS s
  LEFT JOIN ${repeated} AS r ON ${keys.map((k) => `r.repeated_${k} = s.${k}`).join(' AND ')}
)`;
}

/**
 * Raw tables keep every scrape of a row: the one place that keeps the latest per key. `orderBy` puts the
 * newest `processed_at` first and breaks its ties on the values, so the pick never depends on read order.
 *
 * Only keys scraped more than once are ranked (`repeatedKeysCtes`): a row whose key is unique is its own
 * latest. The same rows as ranking every row (ROW_NUMBER over the whole table): each key's rows all take one
 * path, and a key with a NULL part always takes the ranked one. On the sample's gamebook, where no key repeats,
 * this halved the step (0.45 to 0.23 CPU-seconds over 292,912 rows, of which reading them is 0.13), and it
 * runs in both player tables' transforms and expectations.
 */
function latestRowsCte(d: Dialect, cte: {
  readonly name: string; readonly columns: string; readonly source: string; readonly ranked: string;
  readonly keys: readonly string[]; readonly orderBy: string; readonly where: string;
}): string {
  const scraped = `${cte.name}_scraped`;
  const marked = `${cte.name}_marked`;
  // processed_at beside the columns: every orderBy starts with it, and sorts its ties on the columns. The rows
  // read and the rows marked are each used twice, and read again where used (Dialect.inlineCte).
  return `${d.inlineCte(scraped)} (
  SELECT ${cte.columns}, processed_at FROM ${cte.source} WHERE ${cte.where}
),
${repeatedKeysCtes(d, cte.name, scraped, cte.keys)},
${cte.name} AS (
  SELECT ${cte.columns}
  FROM (
    SELECT ${cte.columns},
      ROW_NUMBER() OVER (
        PARTITION BY ${cte.keys.join(', ')}
        ORDER BY ${cte.orderBy}
      ) AS row_rank
    FROM ${marked}
    WHERE is_repeated
  ) AS ${cte.ranked}
  WHERE row_rank = 1
  UNION ALL
  SELECT ${cte.columns} FROM ${marked} WHERE NOT is_repeated
)`;
}

/**
 * The schedule rows a job may need, as a bounded range of game_date: every row of a game with a row in the job
 * (a rescheduled game's rows lie within a season of each other), and with `historyDays` every game of the
 * seasons the job touches and of the days before it.
 */
function scheduleWindow(d: Dialect, historyDays: number): string {
  const p = jobParams(d);
  return `game_date BETWEEN ${d.dateSubDays(p.startDate, MAX_SEASON_SPAN_DAYS + historyDays)} AND ${d.dateAddDays(p.endDate, MAX_SEASON_SPAN_DAYS)}`;
}

/** `name`: the job's final games (needs `schedule`). */
export function finalGamesCte(ctx: SqlContext, name = 'final_games'): string {
  return `${name} AS (
  SELECT ${SCHEDULE_COLUMNS} FROM schedule WHERE ${FINAL} AND ${inJobDates(ctx.d, 'game_date')}
)`;
}

/** `name`: the job's scheduled games, any status but postponed (needs `schedule`). */
export function scheduledGamesCte(ctx: SqlContext, name = 'scheduled_games'): string {
  return `${name} AS (
  SELECT ${SCHEDULE_COLUMNS} FROM schedule WHERE ${NOT_POSTPONED} AND ${inJobDates(ctx.d, 'game_date')}
)`;
}

/**
 * `name`: two rows per game of `games`, one seen from each team: team, opponent, home_game and the
 * final scores from that side.
 */
export function teamSidesCte(name: string, games: string): string {
  const side = (team: 'home' | 'away', opponent: 'home' | 'away') => `
  SELECT game_id, game_date, season_year, game_status,
    ${team}_team_abbr AS team_abbr, ${opponent}_team_abbr AS opponent_team_abbr, ${team === 'home' ? 'TRUE' : 'FALSE'} AS home_game,
    ${team}_score AS team_score, ${opponent}_score AS opponent_score
  FROM ${games}`;
  return `${name} AS (${side('home', 'away')}
  UNION ALL${side('away', 'home')}
)`;
}

const BOX_STATS = [
  'points', 'fg_made', 'fg_attempted', 'three_pt_made', 'three_pt_attempted', 'ft_made', 'ft_attempted',
  'offensive_rebounds', 'defensive_rebounds', 'total_rebounds', 'assists', 'steals', 'blocks', 'turnovers',
  'personal_fouls', 'plus_minus',
] as const;

/** `name`: the latest team box score row per (game_id, team_abbr) of the job's dates. */
export function latestBoxScoreCte(ctx: SqlContext, name = 'box_scores'): string {
  return latestRowsCte(ctx.d, {
    name, columns: `game_id, game_date, team_abbr, ${BOX_STATS.join(', ')}`, source: ctx.raw('nbac_team_boxscore'),
    ranked: 'ranked_box_scores', keys: ['game_id', 'team_abbr'],
    orderBy: 'processed_at DESC, points DESC, fg_attempted DESC, total_rebounds DESC, turnovers DESC',
    where: inJobDates(ctx.d, 'game_date'),
  });
}

const GAMEBOOK_COLUMNS = [
  'game_id', 'game_date', 'team_abbr', 'player_lookup', 'player_name', 'player_status', 'dnp_reason', 'starter',
  'minutes', 'points', 'fg_made', 'fg_attempted', 'three_pt_made', 'three_pt_attempted', 'ft_made', 'ft_attempted',
  'offensive_rebounds', 'defensive_rebounds', 'assists', 'steals', 'blocks', 'turnovers', 'personal_fouls', 'plus_minus',
].join(', ');

/** `name`: the latest gamebook row per (game_id, player_lookup) of the job's dates. */
export function latestGamebookCte(ctx: SqlContext, name = 'gamebook'): string {
  return latestRowsCte(ctx.d, {
    name, columns: GAMEBOOK_COLUMNS, source: ctx.raw('nbac_gamebook_player_stats'), ranked: 'ranked_gamebook',
    keys: ['game_id', 'player_lookup'],
    orderBy: 'processed_at DESC, team_abbr, player_status, player_name, COALESCE(points, -1) DESC',
    where: inJobDates(ctx.d, 'game_date'),
  });
}

/**
 * `prop_lines`: per (game_id, player_lookup) of the games of `games`, the line of the latest prop snapshot taken
 * strictly before 00:00 UTC of the game's date (`current_points_line`) and, with `opening`, of the earliest
 * (`opening_points_line`), any bookmaker. Ties on the timestamp go to the bookmaker first in alphabetical order,
 * then the lower line.
 *
 * One grouping of the snapshots, each end its first row in that order (`firstInOrder`: FIRST(... ORDER BY) in
 * DuckDB, ARRAY_AGG(... LIMIT 1) in BigQuery); the order's keys are NOT NULL in the raw schema, so it is total. On
 * the sample's 886,333 snapshots, DuckDB took 0.10 s for it where the grouping before (the timestamps, joined back
 * for the bookmaker at each, joined back again for the line) took 0.29-0.32 s, with the same lines for all 143,180
 * (game, player) pairs.
 */
export function propLinesCtes(ctx: SqlContext, games: string, options: { readonly opening: boolean }): string[] {
  const ends = [
    { name: 'current', order: 'snapshot_timestamp DESC' },
    ...(options.opening ? [{ name: 'opening', order: 'snapshot_timestamp' }] : []),
  ];
  const snapshots = `prop_snapshots AS (
  SELECT p.game_id, p.player_lookup, p.bookmaker, p.points_line, p.snapshot_timestamp
  FROM ${ctx.raw('odds_api_player_points_props')} AS p
  INNER JOIN ${games} AS g ON g.game_id = p.game_id
  WHERE ${inJobDates(ctx.d, 'p.game_date')} AND p.snapshot_timestamp < ${ctx.d.utcMidnight('g.game_date')}
)`;
  const lines = `prop_lines AS (
  SELECT game_id, player_lookup,
    ${ends.map((e) => `${ctx.d.firstInOrder('points_line', `${e.order}, bookmaker, points_line`)} AS ${e.name}_points_line`).join(',\n    ')}
  FROM prop_snapshots
  GROUP BY game_id, player_lookup
)`;
  return [snapshots, lines];
}

/**
 * `name`: per game of `games`, the distinct players the gamebook lists as active for each of its two
 * teams (a team absent from the gamebook has 0). Reads the latest rows of `gamebook`.
 */
export function activePlayersCte(name: string, games: string, gamebook = 'gamebook'): string {
  const active = (team: 'home' | 'away') =>
    `COUNT(DISTINCT CASE WHEN b.player_status = 'active' AND b.team_abbr = g.${team}_team_abbr THEN b.player_lookup END)`;
  return `${name} AS (
  SELECT g.game_id, g.game_date, g.game_status,
    ${active('home')} AS home_active_players,
    ${active('away')} AS away_active_players
  FROM ${games} AS g
  LEFT JOIN ${gamebook} AS b ON b.game_id = g.game_id
  GROUP BY g.game_id, g.game_date, g.game_status
)`;
}

/** True for a game of `activePlayersCte` whose gamebook cannot be complete. */
export function shortGamebook(alias: string): string {
  return `(${alias}.home_active_players < ${MIN_ACTIVE_PLAYERS} OR ${alias}.away_active_players < ${MIN_ACTIVE_PLAYERS})`;
}

/** Estimated possessions of one team's box score row: FGA + 0.44 x FTA - OREB + TOV. */
export function possessions(alias: string): string {
  return `(${alias}.fg_attempted + 0.44 * ${alias}.ft_attempted - ${alias}.offensive_rebounds + ${alias}.turnovers)`;
}

/**
 * `MM:SS` text to decimal minutes rounded to 1 place ('45:58' -> 46.0, '00:00' -> 0.0). Text that is not
 * `MM:SS` gives NULL rather than failing the whole job; the verification reports it.
 */
export function minutesToDecimal(d: Dialect, text: string): string {
  const colon = `STRPOS(${text}, ':')`;
  const mm = d.safeCast(`SUBSTR(${text}, 1, ${colon} - 1)`, 'INT64');
  const ss = d.safeCast(`SUBSTR(${text}, ${colon} + 1)`, 'INT64');
  return `CASE WHEN ${colon} > 1 THEN ${d.numeric(`(${mm} * 60 + ${ss}) / 60`, 1)} END`;
}

/**
 * The expectation rows of a table: one per date with games counting for it. `games` has one row per such
 * game with game_date, expected_rows (for that game) and is_short (BOOL).
 */
export function expectationSelect(d: Dialect, games: string): string {
  return `SELECT game_date,
  ${d.cast('SUM(expected_rows)', 'INT64')} AS expected_rows,
  ${d.cast(d.countIf('is_short'), 'INT64')} AS source_short_games,
  ${d.cast('COUNT(*)', 'INT64')} AS scheduled_games
FROM ${games}
GROUP BY game_date`;
}

/**
 * Expectation of the two team summary tables: 2 rows per final game; a final game missing the box score
 * row of either team is short (no_source).
 */
export function teamBoxScoreExpectation(ctx: SqlContext): string {
  const boxTeams = `box_teams AS (
  SELECT DISTINCT game_id, team_abbr FROM ${ctx.raw('nbac_team_boxscore')} WHERE ${inJobDates(ctx.d, 'game_date')}
)`;
  const perGame = `per_game AS (
  SELECT g.game_date, 2 AS expected_rows, (home_box.game_id IS NULL OR away_box.game_id IS NULL) AS is_short
  FROM final_games AS g
  LEFT JOIN box_teams AS home_box ON home_box.game_id = g.game_id AND home_box.team_abbr = g.home_team_abbr
  LEFT JOIN box_teams AS away_box ON away_box.game_id = g.game_id AND away_box.team_abbr = g.away_team_abbr
)`;
  return withCtes([latestScheduleCte(ctx), finalGamesCte(ctx), boxTeams, perGame], expectationSelect(ctx.d, 'per_game'));
}

/**
 * `name`: the rows of the latest injury report for each game of `games` (max report_timestamp among the
 * reports published strictly before 00:00 UTC of the game's date). A player the latest report does not
 * list is not on it: an earlier report's status does not carry over.
 */
export function latestInjuryReportCte(ctx: SqlContext, name: string, games: string): string {
  const { d } = ctx;
  const p = jobParams(d);
  return `${name} AS (
  SELECT game_id, team_abbr, player_lookup, injury_status
  FROM (
    SELECT r.game_id, r.team_abbr, r.player_lookup, r.injury_status, r.report_timestamp,
      MAX(r.report_timestamp) OVER (PARTITION BY r.game_id) AS latest_report_timestamp
    FROM ${ctx.raw('nbac_injury_report')} AS r
    INNER JOIN ${games} AS g ON g.game_id = r.game_id
    WHERE ${inJobDates(d, 'r.game_date')}
      AND r.report_date BETWEEN ${d.dateSubDays(p.startDate, INJURY_REPORT_LOOKBACK_DAYS)} AND ${p.endDate}
      AND r.report_date >= ${d.dateSubDays('g.game_date', INJURY_REPORT_LOOKBACK_DAYS)}
      AND r.report_timestamp < ${d.utcMidnight('g.game_date')}
  ) AS reports
  WHERE report_timestamp = latest_report_timestamp
)`;
}

/** A window frame over day numbers: every earlier date of the partition, never the row's own date. */
export const BEFORE_THIS_DATE = 'RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING';
/** A window frame over day numbers: the `days` dates before the row's own date (D-days..D-1). */
export function lastDays(days: number): string {
  return `RANGE BETWEEN ${days} PRECEDING AND 1 PRECEDING`;
}

/** The other team of `game` (an alias with home_/away_team_abbr); NULL when `team` plays in neither side. */
export function opponentOf(team: string, game: string): string {
  return `CASE WHEN ${team} = ${game}.home_team_abbr THEN ${game}.away_team_abbr
    WHEN ${team} = ${game}.away_team_abbr THEN ${game}.home_team_abbr END`;
}

/** Whether `team` is the home side of `game`; NULL when it plays in neither side. */
export function isHomeTeam(team: string, game: string): string {
  return `CASE WHEN ${team} = ${game}.home_team_abbr THEN TRUE WHEN ${team} = ${game}.away_team_abbr THEN FALSE END`;
}
