import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { partitionWrite } from '../../../shared/chunks/partition-write.js';
import { transformColumns } from '../../../shared/tables/analytics/columns.js';
import { ANALYTICS_TABLES } from '../../../shared/tables/names.js';
import { TABLE_SPECS } from '../../../shared/tables/registry.js';
import type { AnalyticsTableSpec } from '../../../shared/tables/types.js';
import { eachDate } from '../../../shared/util/dates.js';
import { checkLeakage, readsHistory, sampleDates } from '../../../shared/verify/leakage.js';
import { verify } from '../../../shared/verify/verify.js';
import { parseVerificationScope } from '../../../shared/verify/verification-scope.js';
import { openFixtureWarehouse, runJob } from '../../support/duckdb-fixtures.js';

const RANGE = { start: '2018-04-01', end: '2018-05-31' } as const;
const CONTEXT = TABLE_SPECS.upcoming_player_game_context;

/**
 * The player context with a planted leak: points_avg_last_5 is the player's points in the game itself, read from
 * the gamebook of the row's own date (what the contract forbids: nothing from D itself).
 */
const LEAKY: AnalyticsTableSpec = {
  ...CONTEXT,
  transform: (ctx) => {
    const own = `(SELECT ${ctx.d.cast('MAX(b.points)', 'NUMERIC')} FROM ${ctx.raw('nbac_gamebook_player_stats')} AS b
      WHERE b.game_date BETWEEN ${ctx.d.param('start_date', 'DATE')} AND ${ctx.d.param('end_date', 'DATE')}
        AND b.game_id = t.game_id AND b.player_lookup = t.player_lookup)`;
    const columns = transformColumns(CONTEXT.columns).map((c) => (c.name === 'points_avg_last_5' ? `COALESCE(${own}, t.points_avg_last_5) AS points_avg_last_5` : `t.${c.name}`));
    return `SELECT ${columns.join(', ')} FROM (${CONTEXT.transform(ctx)}) AS t`;
  },
};

describe('the leakage guard: context features read nothing of their own date or later', function () {
  this.timeout(120_000);
  let warehouse: DuckDbWarehouse;

  before(async function () {
    warehouse = await openFixtureWarehouse();
    for (const table of ANALYTICS_TABLES) await runJob(warehouse, table, RANGE.start, RANGE.end);
  });
  after(async () => warehouse.close());

  it('guards the two context tables only', function () {
    assert.deepEqual(ANALYTICS_TABLES.filter((t) => readsHistory(TABLE_SPECS[t])), ['upcoming_team_game_context', 'upcoming_player_game_context']);
  });

  it('samples dates spread over the scope, the same each time', function () {
    const dates = eachDate('2018-04-01', '2018-04-10');
    assert.deepEqual(sampleDates(dates, 3), ['2018-04-01', '2018-04-06', '2018-04-10']);
    assert.deepEqual(sampleDates(dates, 0), []);
    assert.deepEqual(sampleDates(['2018-04-02', '2018-04-01'], 5), ['2018-04-01', '2018-04-02']);
  });

  it('finds the real transforms free of leaks on the sampled dates of the real-data fixture', async function () {
    const report = await verify({ warehouse, scope: parseVerificationScope({ tables: 'all', ...RANGE, mode: 'test' }), options: { leakageSampleDates: 4 }, now: Date.now() });
    for (const table of ['upcoming_team_game_context', 'upcoming_player_game_context'] as const) {
      const t = report.tables.find((x) => x.table === table);
      assert.equal(t?.leakageChecked?.length, 4, table);
      assert.equal(t?.checks.find((c) => c.name === 'no_leakage')?.passed, true, `${table}: ${t?.statusReason ?? ''}`);
      assert.ok(t?.queries.some((q) => q.family === 'leakage'));
    }
    assert.equal(report.tables.find((x) => x.table === 'team_offense_game_summary')?.leakageChecked, null);
  });

  it('catches a planted leak: a feature built from the game itself differs from its rebuild with the future masked', async function () {
    const dates = ['2018-04-20', '2018-05-14'];
    const write = await partitionWrite(warehouse, LEAKY, { runId: 'leaky', mode: 'test', startedAt: Date.now() }, dates);
    await warehouse.replacePartitions(write.request);
    try {
      const check = await checkLeakage(warehouse, LEAKY, 'test', dates);
      assert.deepEqual(check.findings.map((f) => f.date), dates);
      for (const finding of check.findings) {
        assert.deepEqual(finding.columns, ['points_avg_last_5']);
        assert.ok(finding.differingRows > 0 && finding.sample.length > 0);
        assert.deepEqual(Object.keys(finding.sample[0] ?? {}), ['game_id', 'player_lookup']);
      }
      // And verification of the table, which rebuilds with the registered transform, calls the stored leak FAILED.
      const report = await verify({ warehouse, scope: parseVerificationScope({ tables: ['upcoming_player_game_context'], start: '2018-04-20', end: '2018-05-14', mode: 'test' }), options: { leakageSampleDates: 20 }, now: Date.now() });
      const t = report.tables[0];
      assert.equal(t?.status, 'FAILED');
      const problem = t?.problems.find((p) => p.kind === 'leakage');
      assert.ok(problem && problem.kind === 'leakage');
      assert.ok(problem.dates.some((d) => d.date === '2018-04-20' && d.columns.includes('points_avg_last_5')));
    } finally {
      await runJob(warehouse, 'upcoming_player_game_context', RANGE.start, RANGE.end);
    }
  });
});
