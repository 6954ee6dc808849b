import assert from 'node:assert/strict';
import { TABLE_SPECS, tableSpec } from '../../../shared/tables/registry.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../../../shared/tables/names.js';
import type { ColumnType } from '../../../shared/tables/types.js';
import { LINEAGE_COLUMN, transformColumns } from '../../../shared/tables/analytics/columns.js';
import { PermanentError } from '../../../shared/errors/errors.js';
import { bigQueryDialect } from '../../../shared/sql/bigquery-dialect.js';
import { duckDbDialect } from '../../../shared/sql/duckdb-dialect.js';
import { sqlContextFor } from '../../../shared/sql/dialect.js';
import { assertNoBigQueryIsms, assertNoDuckDbIsms, assertParsesAsBigQuery, astifyBigQuery } from '../../support/bigquery-sql.js';

/** The analytics columns of shared/contracts/TABLES.md: name, type, and whether the contract allows NULL. */
type Contract = ReadonlyArray<readonly [string, ColumnType, 'critical' | 'null ok' | 'null when not active']>;
const ints = (names: string, nullable: 'critical' | 'null when not active' = 'critical') =>
  names.split(' ').map((name) => [name, 'INT64', nullable] as const);

const CONTRACT: Record<AnalyticsTableName, Contract> = {
  player_game_summary: [
    ['game_id', 'STRING', 'critical'], ['game_date', 'DATE', 'critical'], ['season_year', 'INT64', 'critical'],
    ['player_lookup', 'STRING', 'critical'], ['player_name', 'STRING', 'critical'], ['team_abbr', 'STRING', 'critical'],
    ['opponent_team_abbr', 'STRING', 'critical'], ['home_game', 'BOOL', 'critical'], ['starter', 'BOOL', 'critical'],
    ['is_active', 'BOOL', 'critical'], ['dnp_reason', 'STRING', 'null ok'],
    ['minutes_played', 'NUMERIC', 'null when not active'],
    ...ints('points fg_made fg_attempted three_pt_made three_pt_attempted ft_made ft_attempted rebounds assists steals '
      + 'blocks turnovers personal_fouls plus_minus', 'null when not active'),
    ['ts_pct', 'NUMERIC', 'null ok'], ['win_flag', 'BOOL', 'critical'], ['points_line', 'NUMERIC', 'null ok'],
    ['over_under_result', 'STRING', 'null ok'],
  ],
  team_offense_game_summary: [
    ['game_id', 'STRING', 'critical'], ['game_date', 'DATE', 'critical'], ['season_year', 'INT64', 'critical'],
    ['team_abbr', 'STRING', 'critical'], ['opponent_team_abbr', 'STRING', 'critical'], ['home_game', 'BOOL', 'critical'],
    ['win_flag', 'BOOL', 'critical'],
    ...ints('points_scored fg_made fg_attempted three_pt_made three_pt_attempted ft_made ft_attempted '
      + 'offensive_rebounds defensive_rebounds rebounds assists turnovers'),
    ['possessions', 'NUMERIC', 'critical'], ['offensive_rating', 'NUMERIC', 'critical'],
    ['margin_of_victory', 'INT64', 'critical'],
  ],
  team_defense_game_summary: [
    ['game_id', 'STRING', 'critical'], ['game_date', 'DATE', 'critical'], ['season_year', 'INT64', 'critical'],
    ['defending_team_abbr', 'STRING', 'critical'], ['opponent_team_abbr', 'STRING', 'critical'],
    ['home_game', 'BOOL', 'critical'], ['win_flag', 'BOOL', 'critical'],
    ...ints('points_allowed opp_fg_made opp_fg_attempted opp_three_pt_made opp_three_pt_attempted opp_ft_made '
      + 'opp_ft_attempted opp_rebounds opp_assists turnovers_forced steals blocks defensive_rebounds'),
    ['defensive_rating', 'NUMERIC', 'critical'],
  ],
  upcoming_team_game_context: [
    ['game_id', 'STRING', 'critical'], ['game_date', 'DATE', 'critical'], ['season_year', 'INT64', 'critical'],
    ['team_abbr', 'STRING', 'critical'], ['opponent_team_abbr', 'STRING', 'critical'], ['home_game', 'BOOL', 'critical'],
    ['days_rest', 'INT64', 'null ok'], ['is_back_to_back', 'BOOL', 'critical'],
    ...ints('games_in_last_7_days games_in_last_14_days win_streak_entering loss_streak_entering '
      + 'season_wins_entering season_losses_entering'),
    ['game_spread', 'NUMERIC', 'null ok'], ['game_total', 'NUMERIC', 'null ok'], ['players_out_count', 'INT64', 'critical'],
  ],
  upcoming_player_game_context: [
    ['game_id', 'STRING', 'critical'], ['game_date', 'DATE', 'critical'], ['player_lookup', 'STRING', 'critical'],
    ['team_abbr', 'STRING', 'critical'], ['opponent_team_abbr', 'STRING', 'critical'], ['home_game', 'BOOL', 'critical'],
    ['days_rest', 'INT64', 'null ok'], ['is_back_to_back', 'BOOL', 'critical'],
    ...ints('games_in_last_7_days games_in_last_14_days'), ['minutes_in_last_7_days', 'NUMERIC', 'critical'],
    ['points_avg_last_5', 'NUMERIC', 'null ok'], ['points_avg_last_10', 'NUMERIC', 'null ok'],
    ['has_prop_line', 'BOOL', 'critical'], ['current_points_line', 'NUMERIC', 'null ok'],
    ['opening_points_line', 'NUMERIC', 'null ok'], ['line_movement', 'NUMERIC', 'null ok'],
    ['injury_status', 'STRING', 'null ok'], ['opponent_def_rating_last_10', 'NUMERIC', 'null ok'],
  ],
};

const RUN_COLUMNS = [['run_id', 'STRING'], ['run_mode', 'STRING'], ['processed_at', 'TIMESTAMP']] as const;
const EXPECTATION_COLUMNS = ['game_date', 'expected_rows', 'source_short_games', 'scheduled_games'];

/** Output column names of a SELECT, as node-sql-parser's BigQuery grammar reads its outermost list. */
function selectedColumns(sql: string): string[] {
  const ast = astifyBigQuery(sql);
  const statement = (Array.isArray(ast) ? ast[0] : ast) as unknown as { select?: { columns: unknown[] }; columns?: unknown[] };
  const columns = (statement.select?.columns ?? statement.columns ?? []) as Array<{ as: string | null; expr: { column?: unknown } }>;
  return columns.map((c) => {
    if (c.as) return c.as;
    const column = c.expr.column;
    return typeof column === 'string' ? column : String((column as { expr: { value: string } }).expr.value);
  });
}

describe('table registry', function () {
  it('has a spec for every analytics table, under its own name', function () {
    assert.deepEqual(Object.keys(TABLE_SPECS).sort(), [...ANALYTICS_TABLES].sort());
    for (const name of ANALYTICS_TABLES) assert.equal(tableSpec(name).name, name);
  });

  it('refuses an unknown table with a permanent error that lists the known ones', function () {
    assert.throws(() => tableSpec('player_game_sumary'), (error: unknown) =>
      error instanceof PermanentError && /player_game_sumary/.test(error.message) && /player_game_summary/.test(error.message));
  });

  for (const name of ANALYTICS_TABLES) {
    describe(name, function () {
      const spec = TABLE_SPECS[name];

      it('has every contract column with the contract type and nullability', function () {
        const byName = new Map(spec.columns.map((c) => [c.name, c]));
        for (const [column, type, nullability] of CONTRACT[name]) {
          const found = byName.get(column);
          assert.ok(found, `${name}.${column} is missing`);
          assert.equal(found.type, type, `${name}.${column} type`);
          assert.equal(found.nullable, nullability !== 'critical', `${name}.${column} nullable`);
          if (nullability === 'null when not active') assert.match(found.description ?? '', /not active/);
        }
      });

      it('keeps the contract order of its columns and ends with the critical run columns', function () {
        const names = spec.columns.map((c) => c.name);
        const contractOrder = CONTRACT[name].map(([column]) => column);
        assert.deepEqual(names.filter((n) => contractOrder.includes(n)), contractOrder);
        const transformed = transformColumns(spec.columns);
        assert.deepEqual(transformed.slice(-3).map((c) => [c.name, c.type, c.nullable]), RUN_COLUMNS.map(([n, t]) => [n, t, false]));
        assert.deepEqual(spec.columns.slice(transformed.length).map((c) => [c.name, c.type, c.nullable]), [[LINEAGE_COLUMN, 'STRING', true]]);
        assert.equal(new Set(names).size, names.length, 'column names are unique');
      });

      it('has a critical key and is partitioned by game_date', function () {
        assert.equal(spec.partitionColumn, 'game_date');
        for (const column of spec.key) {
          assert.equal(spec.columns.find((c) => c.name === column)?.nullable, false, `key column ${column}`);
        }
      });

      it('renders a transform that BigQuery parses and that selects exactly its columns, in order', function () {
        const sql = spec.transform(sqlContextFor(bigQueryDialect('proj'), 'production'));
        assertParsesAsBigQuery(sql, `${name} transform`);
        assertNoDuckDbIsms(sql, `${name} transform`);
        assert.deepEqual(selectedColumns(sql), transformColumns(spec.columns).map((c) => c.name));
        for (const param of ['start_date', 'end_date', 'run_id', 'run_mode', 'processed_at']) assert.match(sql, new RegExp(`@${param}\\b`));
      });

      it('renders an expectation that BigQuery parses, selecting the four expectation columns', function () {
        const sql = spec.expectation(sqlContextFor(bigQueryDialect('proj'), 'production'));
        assertParsesAsBigQuery(sql, `${name} expectation`);
        assertNoDuckDbIsms(sql, `${name} expectation`);
        assert.deepEqual(selectedColumns(sql), EXPECTATION_COLUMNS);
        assert.doesNotMatch(sql, new RegExp(`\\.${name}\``), 'the expectation never reads the table it checks');
      });

      it('renders for DuckDB without BigQuery-only constructs', function () {
        const ctx = sqlContextFor(duckDbDialect, 'test');
        assertNoBigQueryIsms(spec.transform(ctx), `${name} transform`);
        assertNoBigQueryIsms(spec.expectation(ctx), `${name} expectation`);
      });

      it('reads analytics tables only from the dataset of its run mode', function () {
        const sql = spec.transform(sqlContextFor(bigQueryDialect('proj'), 'test'));
        assert.doesNotMatch(sql, /`proj\.nba_analytics\./);
        for (const dependency of spec.upstream) assert.match(sql, new RegExp(`\`proj\\.test_nba_analytics\\.${dependency.table}\``));
      });
    });
  }

  it('makes the player context depend on all earlier player and defense summaries, never the same date', function () {
    const spec = TABLE_SPECS.upcoming_player_game_context;
    assert.deepEqual(
      [...spec.upstream].map(({ columns: _columns, ...dependency }) => dependency).sort((a, b) => a.table.localeCompare(b.table)),
      [
        { table: 'player_game_summary', lookbackDays: 'all', sameDate: false },
        { table: 'team_defense_game_summary', lookbackDays: 'all', sameDate: false },
      ],
    );
    for (const dependency of spec.upstream) {
      const upstreamColumns = TABLE_SPECS[dependency.table].columns.map((c) => c.name);
      for (const column of dependency.columns) assert.ok(upstreamColumns.includes(column), `${dependency.table}.${column} read by the context`);
    }
    for (const name of ANALYTICS_TABLES.filter((n) => n !== 'upcoming_player_game_context')) {
      assert.deepEqual(TABLE_SPECS[name].upstream, [], `${name} reads raw tables only`);
    }
  });
});
