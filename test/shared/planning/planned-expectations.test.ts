import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { loadExpectations, plannedExpectations, type ExpectationSource } from '../../../shared/planning/expectations.js';
import type { ExpectedDate } from '../../../shared/verify/evaluate-dates.js';
import { parseBackfillRequest } from '../../../shared/planning/backfill-request.js';
import { planBackfill, type BackfillPlan } from '../../../shared/planning/plan-chunks.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../../../shared/tables/names.js';
import { tableSpec } from '../../../shared/tables/registry.js';
import type { IsoDate } from '../../../shared/util/dates.js';
import { openFixtureWarehouse } from '../../support/duckdb-fixtures.js';

/**
 * The local runner answers its workers' expectation queries from what the plan read (the data dir is held for the
 * whole run, so the raw data cannot change in between): the answers must be the warehouse's own, for every table,
 * over the whole planned range and over any message's part of it.
 */
describe('the expectations a plan read, given to the workers of its run', function () {
  let warehouse: DuckDbWarehouse;
  let plan: BackfillPlan;

  before(async function () {
    warehouse = await openFixtureWarehouse();
    plan = await planBackfill(warehouse, parseBackfillRequest({ tables: 'all', start: '2016-10-01', end: '2024-06-30' }));
  });

  after(async function () {
    await warehouse.close();
  });

  const datesOf = (table: AnalyticsTableName): IsoDate[] => plan.chunks.filter((c) => c.table === table).map((c) => c.gameDate).sort();
  const asObject = (m: ReadonlyMap<IsoDate, ExpectedDate>) => Object.fromEntries([...m].map(([d, e]) => [d, { ...e }]));
  const refused: ExpectationSource = () => Promise.reject(new Error('asked the warehouse'));

  it('gives every table\'s expectations as the warehouse does, over its planned dates and over a message\'s part of them', async function () {
    const source = plannedExpectations('production', plan.expectations, refused);
    for (const table of ANALYTICS_TABLES) {
      const dates = datesOf(table);
      assert.ok(dates.length > 10, `${table}: the fixture plans ${dates.length} dates`);
      const spec = tableSpec(table);
      const first = dates[0] as IsoDate;
      const last = dates[dates.length - 1] as IsoDate;
      const middle = [dates[3] as IsoDate, dates[dates.length - 4] as IsoDate] as const;
      for (const [start, end] of [[first, last], middle, [middle[0], middle[0]]] as const) {
        const fromPlan = asObject(await source(spec, 'production', start, end));
        const fromWarehouse = asObject(await loadExpectations(warehouse, spec, 'production', start, end));
        assert.ok(Object.keys(fromWarehouse).length > 0, `${table} ${start}..${end}: no expectations to compare`);
        assert.deepEqual(fromPlan, fromWarehouse, `${table} ${start}..${end}`);
      }
    }
    assert.ok(Object.values(asObject(await source(tableSpec('player_game_summary'), 'production', '2016-10-01', '2024-06-30'))).some((e) => e.sourceShortGames > 0),
      'the fixture has player dates short of source: the plan must carry them');
  });

  it('asks the warehouse for a range the plan did not read, another mode, or a table it did not plan', async function () {
    const asked: string[] = [];
    const fallback: ExpectationSource = (spec, mode, start, end) => {
      asked.push(`${spec.name} ${mode} ${start}..${end}`);
      return Promise.resolve(new Map());
    };
    const read = plan.expectations.team_offense_game_summary;
    assert.ok(read);
    const source = plannedExpectations('production', { team_offense_game_summary: read }, fallback);
    const spec = tableSpec('team_offense_game_summary');
    const before = '2016-09-30';
    await source(spec, 'production', before, read.end);
    await source(spec, 'test', read.start, read.end);
    await source(tableSpec('player_game_summary'), 'production', read.start, read.end);
    await source(spec, 'production', read.start, read.end);
    assert.deepEqual(asked, [
      `team_offense_game_summary production ${before}..${read.end}`,
      `team_offense_game_summary test ${read.start}..${read.end}`,
      `player_game_summary production ${read.start}..${read.end}`,
    ]);
  });
});
