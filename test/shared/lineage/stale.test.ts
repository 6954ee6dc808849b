import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { loadRawDirectory } from '../../../adapters/duckdb/load-raw.js';
import { assessPartitions, datesToRebuild } from '../../../shared/lineage/assess-partitions.js';
import { decodeLineage } from '../../../shared/lineage/lineage-record.js';
import { ANALYTICS_TABLES } from '../../../shared/tables/names.js';
import { verify } from '../../../shared/verify/verify.js';
import { parseVerificationScope } from '../../../shared/verify/verification-scope.js';
import type { TableReport } from '../../../shared/verify/report-schema.js';
import { FIXTURE_RAW_DIR, openFixtureWarehouse, runJob } from '../../support/duckdb-fixtures.js';
import { lineageTextInFull } from '../../support/lineage-text.js';

const RANGE = { start: '2018-04-01', end: '2018-05-31' } as const;
const GAME_DATE = '2018-04-20';

/** A corrected box score for one team of one game: a newer scrape, one more assist. */
async function correctBoxScore(warehouse: DuckDbWarehouse, date: string): Promise<void> {
  await warehouse.run(`INSERT INTO nba_raw.nbac_team_boxscore
    SELECT * REPLACE (assists + 1 AS assists, processed_at + INTERVAL 1 DAY AS processed_at)
    FROM nba_raw.nbac_team_boxscore
    WHERE game_date = DATE '${date}'
    ORDER BY game_id, team_abbr LIMIT 1`);
}

function staleDates(report: { tables: TableReport[] }, table: string): string[] {
  const t = report.tables.find((x) => x.table === table);
  const problem = t?.problems.find((p) => p.kind === 'date_rows' && p.reason === 'stale');
  return problem && problem.kind === 'date_rows' ? problem.dates.map((d) => d.date) : [];
}

describe('stale partitions: rows built from inputs that changed since, or were missing', function () {
  let warehouse: DuckDbWarehouse;
  const verifyAll = () => verify({ warehouse, scope: parseVerificationScope({ tables: 'all', ...RANGE, mode: 'test' }), now: Date.parse('2024-07-01T00:00:00Z') });

  beforeEach(async function () {
    warehouse = await openFixtureWarehouse();
    for (const table of ['player_game_summary', 'team_offense_game_summary', 'team_defense_game_summary', 'upcoming_team_game_context', 'upcoming_player_game_context'] as const) {
      await runJob(warehouse, table, RANGE.start, RANGE.end);
    }
  });
  afterEach(async () => warehouse.close());

  it('finds nothing stale right after a backfill, nor after loading the same raw files again', async function () {
    const before = await verifyAll();
    for (const t of before.tables) assert.deepEqual(staleDates(before, t.table), [], t.table);
    assert.ok(before.tables.every((t) => t.checks.find((c) => c.name === 'inputs_current')?.passed));
    await loadRawDirectory(warehouse, FIXTURE_RAW_DIR);
    const after = await verifyAll();
    for (const t of after.tables) assert.deepEqual(staleDates(after, t.table), [], `${t.table} after reloading the same files`);
  });

  it('names the date and the input when a raw row is corrected, in the tables that read it only', async function () {
    await correctBoxScore(warehouse, GAME_DATE);
    const report = await verifyAll();
    assert.deepEqual(staleDates(report, 'team_offense_game_summary'), [GAME_DATE]);
    assert.deepEqual(staleDates(report, 'team_defense_game_summary'), [GAME_DATE]);
    for (const table of ['player_game_summary', 'upcoming_team_game_context']) {
      assert.deepEqual(staleDates(report, table), [], `${table} does not read team box scores`);
    }
    // The player context reads team_defense_game_summary, stale on that date: every later context date depends on it.
    const context = report.tables.find((t) => t.table === 'upcoming_player_game_context')?.problems.find((p) => p.kind === 'date_rows' && p.reason === 'stale');
    assert.ok(context && context.kind === 'date_rows');
    assert.ok(context.dates.every((d) => d.date > GAME_DATE));
    assert.deepEqual(context.dates[0]?.stale, [{ cause: 'input_stale', input: 'team_defense_game_summary', firstDate: GAME_DATE, dates: 1 }]);
    const offense = report.tables.find((t) => t.table === 'team_offense_game_summary');
    assert.equal(offense?.status, 'INCOMPLETE');
    const problem = offense?.problems.find((p) => p.kind === 'date_rows' && p.reason === 'stale');
    assert.ok(problem && problem.kind === 'date_rows');
    assert.deepEqual(problem.dates[0]?.stale, [{ cause: 'input_changed', input: 'nbac_team_boxscore' }]);
    assert.equal(report.overall.status, 'INCOMPLETE');
  });

  it('propagates a rebuilt upstream partition whose content changed to the context dates after it', async function () {
    // Turnovers change the defensive rating the player context reads; rebuild the defense date with them.
    await warehouse.run(`INSERT INTO nba_raw.nbac_team_boxscore
      SELECT * REPLACE (turnovers + 5 AS turnovers, processed_at + INTERVAL 1 DAY AS processed_at)
      FROM nba_raw.nbac_team_boxscore WHERE game_date = DATE '${GAME_DATE}'`);
    await runJob(warehouse, 'team_defense_game_summary', GAME_DATE, GAME_DATE);
    const report = await verifyAll();
    assert.deepEqual(staleDates(report, 'team_defense_game_summary'), []);
    const context = staleDates(report, 'upcoming_player_game_context');
    assert.ok(context.length > 0 && context.every((d) => d > GAME_DATE), `context dates after ${GAME_DATE}: ${context.join(', ')}`);
    const first = report.tables.find((t) => t.table === 'upcoming_player_game_context')?.problems.find((p) => p.kind === 'date_rows' && p.reason === 'stale');
    assert.ok(first && first.kind === 'date_rows');
    assert.deepEqual(first.dates[0]?.stale, [{ cause: 'input_changed', input: 'team_defense_game_summary' }]);
  });

  it('calls context dates stale while an upstream date they read is missing, and says which', async function () {
    await warehouse.run(`DELETE FROM test_nba_analytics.player_game_summary WHERE game_date = DATE '${GAME_DATE}'`);
    const assessed = await assessPartitions(warehouse, 'test', [{ table: 'upcoming_player_game_context', ...RANGE }]);
    const context = assessed.get('upcoming_player_game_context');
    assert.ok(context);
    const stale = [...context.stale.keys()].sort();
    assert.ok(stale.length > 0 && stale.every((d) => d > GAME_DATE));
    // Its fingerprint of the history changed too: both say why.
    assert.deepEqual(context.stale.get(stale[0] as string), [
      { cause: 'input_changed', input: 'player_game_summary' },
      { cause: 'input_incomplete', input: 'player_game_summary', firstDate: GAME_DATE, dates: 1 },
    ]);
    // What a run must rebuild: the missing upstream date and every context date after it.
    assert.deepEqual(datesToRebuild(assessed.get('player_game_summary') as NonNullable<ReturnType<typeof assessed.get>>), [GAME_DATE]);
    assert.deepEqual(datesToRebuild(context), stale);
  });

  it('keeps partitions written with the lineage text in full (before the codes) current, and still finds a change in them', async function () {
    const before = await verifyAll();
    // Rewrite every row of every table the way the code before 2026-12-05 wrote it: the same lineage, names in full.
    for (const table of ANALYTICS_TABLES) {
      const texts = await warehouse.run<{ text: string }>(`SELECT DISTINCT input_fingerprints AS text FROM test_nba_analytics.${table}`);
      assert.ok(texts.length > 0, table);
      for (const { text } of texts) {
        const lineage = decodeLineage(text);
        assert.ok(lineage && text.startsWith('{"v":2,'), `${table} is written with codes: ${text}`);
        const full = lineageTextInFull(lineage);
        await warehouse.run(`UPDATE test_nba_analytics.${table} SET input_fingerprints = $full WHERE input_fingerprints = $text`, { full, text });
      }
      const left = await warehouse.run<{ n: bigint }>(`SELECT COUNT(*) AS n FROM test_nba_analytics.${table} WHERE input_fingerprints NOT LIKE '{"v":1,"transform":"${table}@%'`);
      assert.equal(Number(left[0]?.n), 0, table);
    }
    const report = await verifyAll();
    for (const t of report.tables) assert.deepEqual(staleDates(report, t.table), [], t.table);
    const statuses = (r: typeof report) => r.tables.map((t) => `${t.table} ${t.status} ${t.statusReason}`);
    assert.deepEqual(statuses(report), statuses(before));
    assert.ok(report.tables.every((t) => t.checks.find((c) => c.name === 'inputs_current')?.passed));
    const assessed = await assessPartitions(warehouse, 'test', [{ table: 'upcoming_player_game_context', ...RANGE }]);
    for (const [table, assessment] of assessed) assert.deepEqual(datesToRebuild(assessment), [], `${table}: nothing to rebuild`);
    await correctBoxScore(warehouse, GAME_DATE);
    const corrected = await verifyAll();
    assert.deepEqual(staleDates(corrected, 'team_offense_game_summary'), [GAME_DATE]);
  });

  it('calls rows without a lineage (written before inputs were tracked) stale', async function () {
    await warehouse.run(`UPDATE test_nba_analytics.team_offense_game_summary SET input_fingerprints = NULL WHERE game_date = DATE '${GAME_DATE}'`);
    const report = await verifyAll();
    assert.deepEqual(staleDates(report, 'team_offense_game_summary'), [GAME_DATE]);
  });
});
