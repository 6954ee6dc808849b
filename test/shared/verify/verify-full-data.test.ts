import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { SEED_RANGE } from '../../../shared/config/defaults.js';
import type { VerificationReport } from '../../../shared/verify/report-schema.js';
import { verify } from '../../../shared/verify/verify.js';
import { parseVerificationScope } from '../../../shared/verify/verification-scope.js';
import { openFixtureWarehouse, writeAllTables } from './fixture-warehouse.js';

/** The whole real data set (../shared/data/raw beside the repository), when it is there. */
const FULL_RAW_DIR = fileURLToPath(new URL('../../../../../shared/data/raw/', import.meta.url));

describe('verify on the whole real data set, 2016-10-01..2024-06-30', function () {
  this.timeout(120_000);
  let warehouse: DuckDbWarehouse;
  let report: VerificationReport;

  before(async function () {
    // Never skipped: CI clones the team folder beside the repository, and a missing one is a broken set-up.
    assert.ok(existsSync(`${FULL_RAW_DIR}/nbac_schedule.csv`), `the real data set is missing at ${FULL_RAW_DIR}: put the team folder (shared/, with data/raw) beside the repository`);
    warehouse = await openFixtureWarehouse(FULL_RAW_DIR);
    await writeAllTables(warehouse, SEED_RANGE);
    // Its time is measured by `npm run bench`, not asserted here.
    report = await verify({ warehouse, scope: parseVerificationScope({ tables: 'all', ...SEED_RANGE, mode: 'production' }), now: Date.now() });
  });
  after(async () => warehouse?.close());

  it('finds the team tables complete and the player tables short only of source data', () => {
    assert.deepEqual(
      report.tables.map((t) => [t.table, t.status, t.problems.map((p) => (p.kind === 'date_rows' ? p.reason : p.kind))]),
      [
        ['player_game_summary', 'INCOMPLETE', ['no_source']],
        ['team_offense_game_summary', 'COMPLETE', []],
        ['team_defense_game_summary', 'COMPLETE', []],
        ['upcoming_team_game_context', 'COMPLETE', []],
        ['upcoming_player_game_context', 'INCOMPLETE', ['no_source']],
      ],
    );
    assert.equal(report.overall.line, '3/5 tables complete (60%)');
  });

  it('counts every game of the data: 10,209 games, two team rows each', () => {
    const offense = report.tables.find((t) => t.table === 'team_offense_game_summary');
    assert.equal(offense?.rows, 2 * 10_209);
    assert.deepEqual(offense?.crossTable, [{ truth: 'offense_points_match_schedule', compared: 2 * 10_209, mismatches: 0 }]);
  });
});
