import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { partitionWrite } from '../../shared/chunks/partition-write.js';
import { TABLE_SPECS } from '../../shared/tables/registry.js';
import type { AnalyticsTableName } from '../../shared/tables/names.js';
import { eachDate } from '../../shared/util/dates.js';
import { runCli } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';

/**
 * Issue 10's "Done when", on the real-data fixture (test/fixtures/raw: the 2018 playoffs are complete for every
 * table): a context table asked for alone, or from the middle of a season, ends with the features of a full
 * build (its history planned and built first); a corrected raw row makes exactly the partitions that read it
 * stale and a plain run rebuilds exactly those; a partial date is fixed by running again.
 */

const FULL = { start: '2018-04-01', end: '2018-05-31' } as const;
/** The playoffs: complete raw data for every table (before 2018-04-14 the gamebook is missing: no_source). */
const PLAYOFFS = { start: '2018-04-14', end: '2018-05-31' } as const;
/** `run` over FULL ends with the player tables INCOMPLETE (their no_source dates) and everything built: exit 1. */
const FULL_RUN_EXIT = 1;
const CONTEXT = 'upcoming_player_game_context';
/** Columns that say when and by what a row was written, not what it holds. */
const BOOKKEEPING = new Set(['run_id', 'run_mode', 'processed_at', 'input_fingerprints']);

async function withWarehouse<T>(dir: string, work: (w: DuckDbWarehouse) => Promise<T>): Promise<T> {
  const warehouse = await DuckDbWarehouse.open({ path: join(dir, 'warehouse.duckdb') });
  try {
    return await work(warehouse);
  } finally {
    await warehouse.close();
  }
}

/** The rows of a table in [start, end] without bookkeeping columns, sorted: what a feature comparison compares. */
async function contentOf(dir: string, table: AnalyticsTableName, start: string, end: string): Promise<string[]> {
  const columns = TABLE_SPECS[table].columns.map((c) => c.name).filter((c) => !BOOKKEEPING.has(c));
  return withWarehouse(dir, async (w) => {
    const rows = await w.run(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM nba_analytics.${table}
      WHERE game_date BETWEEN DATE '${start}' AND DATE '${end}' ORDER BY ALL`);
    return rows.map((r) => JSON.stringify(r));
  });
}

/** When each partition of the tables was last written: (table, date) -> processed_at. */
async function writeTimes(dir: string): Promise<Map<string, string>> {
  return withWarehouse(dir, async (w) => {
    const out = new Map<string, string>();
    for (const table of Object.keys(TABLE_SPECS)) {
      const rows = await w.run<{ d: string; p: string }>(`SELECT CAST(game_date AS VARCHAR) AS d, CAST(MAX(processed_at) AS VARCHAR) AS p
        FROM nba_analytics.${table} GROUP BY game_date`);
      for (const r of rows) out.set(`${table} ${r.d}`, r.p);
    }
    return out;
  });
}

async function freshDir(prefix: string) {
  const dir = await tempDir(prefix);
  const loaded = await runCli(['--data-dir', dir.path, 'load-raw', FIXTURE_RAW_DIR]);
  assert.equal(loaded.code, 0, loaded.stderr);
  return dir;
}

describe('honest about inputs: history first, stale partitions, reprocessing (local CLI, real-data fixture)', function () {
  this.timeout(300_000);
  let reference: { path: string; remove: () => Promise<void> };

  before(async function () {
    reference = await freshDir('inputs-reference-');
    const full = await runCli(['--data-dir', reference.path, 'run', '--tables', 'all', '--start', FULL.start, '--end', FULL.end]);
    assert.equal(full.code, FULL_RUN_EXIT, full.stdout + full.stderr);
    assert.match(full.stdout, /succeeded: all \d+ chunks done/);
  });
  after(async () => reference.remove());

  it('builds a context table asked for alone on an empty warehouse from its whole history, planned first', async function () {
    const dir = await freshDir('inputs-alone-');
    try {
      const run = await runCli(['--data-dir', dir.path, 'run', '--tables', CONTEXT, '--start', '2018-05-01', '--end', '2018-05-15']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /history first: \d+ player_game_summary partitions .* planned before them: 2018-04-14\.\./);
      assert.match(run.stdout, /history first: \d+ team_defense_game_summary partitions .* planned before them: 2018-04-01\b/);
      assert.match(run.stdout, /1\/1 table complete \(100%\)/);
      assert.deepEqual(await contentOf(dir.path, CONTEXT, '2018-05-01', '2018-05-15'), await contentOf(reference.path, CONTEXT, '2018-05-01', '2018-05-15'));
    } finally {
      await dir.remove();
    }
  });

  it('ends a run started mid-season with the features of a full build', async function () {
    const dir = await freshDir('inputs-midseason-');
    try {
      const run = await runCli(['--data-dir', dir.path, 'run', '--tables', 'all', '--start', '2018-04-25', '--end', '2018-05-10']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      for (const table of ['upcoming_player_game_context', 'upcoming_team_game_context'] as const) {
        assert.deepEqual(await contentOf(dir.path, table, '2018-04-25', '2018-05-10'), await contentOf(reference.path, table, '2018-04-25', '2018-05-10'), table);
      }
    } finally {
      await dir.remove();
    }
  });

  it('calls context partitions built before their inputs stale, never complete, and a plain run makes them right', async function () {
    const dir = await freshDir('inputs-before-');
    try {
      // As an earlier version of the service could: the context written while its history was not there.
      await withWarehouse(dir.path, async (w) => {
        const write = await partitionWrite(w, TABLE_SPECS[CONTEXT], { runId: 'old', mode: 'production', startedAt: Date.now() }, eachDate('2018-05-01', '2018-05-15'));
        await w.replacePartitions(write.request);
      });
      const stale = await runCli(['--data-dir', dir.path, 'verify', '--tables', CONTEXT, '--start', '2018-05-01', '--end', '2018-05-15']);
      assert.equal(stale.code, 1, stale.stdout);
      assert.match(stale.stdout, /upcoming_player_game_context .* INCOMPLETE/);
      assert.match(stale.stdout, /stale\)/);
      assert.match(stale.stdout, /player_game_summary missing or short on earlier dates \(first 2018-04-14\)/);
      const run = await runCli(['--data-dir', dir.path, 'run', '--tables', CONTEXT, '--start', '2018-05-01', '--end', '2018-05-15']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.deepEqual(await contentOf(dir.path, CONTEXT, '2018-05-01', '2018-05-15'), await contentOf(reference.path, CONTEXT, '2018-05-01', '2018-05-15'));
    } finally {
      await dir.remove();
    }
  });

  it('finds a corrected raw row stale where it is read, rebuilds exactly those partitions, and nothing on a reload of the same files', async function () {
    const dir = await freshDir('inputs-corrected-');
    const corrected = await tempDir('inputs-raw-');
    try {
      const full = await runCli(['--data-dir', dir.path, 'run', '--tables', 'all', '--start', FULL.start, '--end', FULL.end]);
      assert.equal(full.code, FULL_RUN_EXIT, full.stdout + full.stderr);
      const complete = await runCli(['--data-dir', dir.path, 'verify', '--start', PLAYOFFS.start, '--end', PLAYOFFS.end]);
      assert.equal(complete.code, 0, complete.stdout + complete.stderr);
      // A newer scrape of one team's box score of 2018-04-20: two more assists.
      await cp(FIXTURE_RAW_DIR, corrected.path, { recursive: true });
      const file = join(corrected.path, 'nbac_team_boxscore.csv');
      const lines = (await readFile(file, 'utf8')).trimEnd().split(/\r?\n/);
      const header = (lines[0] as string).split(',');
      const original = lines.find((l) => l.split(',')[1] === '2018-04-20') as string;
      const fields = original.split(',');
      const assists = header.indexOf('assists');
      const processedAt = header.indexOf('processed_at');
      const changed = fields.map((v, i) => (i === assists ? String(Number(v) + 2) : i === processedAt ? '2024-07-02 00:00:00+00' : v));
      await writeFile(file, `${[...lines, changed.join(',')].join('\n')}\n`);
      const [gameId, , team] = fields;

      const before = await writeTimes(dir.path);
      const loaded = await runCli(['--data-dir', dir.path, 'load-raw', corrected.path]);
      assert.equal(loaded.code, 0, loaded.stderr);
      const verify = await runCli(['--data-dir', dir.path, 'verify', '--start', PLAYOFFS.start, '--end', PLAYOFFS.end]);
      assert.equal(verify.code, 1, verify.stdout);
      assert.match(verify.stdout, /team_offense_game_summary \(nba_analytics\): INCOMPLETE[\s\S]*stale\)[\s\S]*nbac_team_boxscore changed: 2018-04-20/);
      assert.match(verify.stdout, /team_defense_game_summary \(nba_analytics\): INCOMPLETE[\s\S]*nbac_team_boxscore changed: 2018-04-20/);
      assert.match(verify.stdout, /upcoming_player_game_context \(nba_analytics\): INCOMPLETE[\s\S]*team_defense_game_summary stale on earlier dates \(first 2018-04-20\)/);

      const rerun = await runCli(['--data-dir', dir.path, 'run', '--tables', 'all', '--start', FULL.start, '--end', FULL.end]);
      assert.equal(rerun.code, FULL_RUN_EXIT, rerun.stdout + rerun.stderr);
      const after = await writeTimes(dir.path);
      const rewritten = [...after].filter(([key, at]) => before.get(key) !== at).map(([key]) => key).sort();
      // The context dates after it were looked at again (their input was stale), but the columns they read did not change.
      assert.deepEqual(rewritten, ['team_defense_game_summary 2018-04-20', 'team_offense_game_summary 2018-04-20']);
      const value = await withWarehouse(dir.path, (w) => w.run<{ a: number }>(`SELECT assists AS a FROM nba_analytics.team_offense_game_summary WHERE game_id = '${gameId}' AND team_abbr = '${team}'`));
      assert.equal(value[0]?.a, Number(fields[assists]) + 2);

      const fixed = await runCli(['--data-dir', dir.path, 'verify', '--start', PLAYOFFS.start, '--end', PLAYOFFS.end]);
      assert.equal(fixed.code, 0, fixed.stdout);
      // The same files again: nothing changed, nothing stale.
      assert.equal((await runCli(['--data-dir', dir.path, 'load-raw', corrected.path])).code, 0);
      const again = await runCli(['--data-dir', dir.path, 'verify', '--start', PLAYOFFS.start, '--end', PLAYOFFS.end]);
      assert.equal(again.code, 0, again.stdout);
    } finally {
      await corrected.remove();
      await dir.remove();
    }
  });

  it('fixes a partial date by running the same command again, without deleting any file', async function () {
    const dir = await freshDir('inputs-partial-');
    try {
      const args = ['--data-dir', dir.path, 'run', '--tables', 'team_offense_game_summary', '--start', '2018-04-14', '--end', '2018-04-20'];
      assert.equal((await runCli(args)).code, 0);
      await withWarehouse(dir.path, (w) => w.run(`DELETE FROM nba_analytics.team_offense_game_summary WHERE game_date = DATE '2018-04-15' AND home_game`));
      const partial = await runCli(['--data-dir', dir.path, 'verify', '--tables', 'team_offense_game_summary', '--start', '2018-04-14', '--end', '2018-04-20']);
      assert.equal(partial.code, 1);
      assert.match(partial.stdout, /\(partial\)/);
      const again = await runCli(args);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(again.stdout, /1 partition the warehouse lacks or holds short, in excess or stale: \(re\)built/);
    } finally {
      await dir.remove();
    }
  });
});
