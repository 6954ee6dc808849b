import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile, copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';
import { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';

describe('the CLI on bad input', function () {
  this.timeout(60_000);
  let dir: { path: string; remove: () => Promise<void> };
  before(async () => {
    dir = await tempDir('cli-input-');
    const loaded = await runCli(['--data-dir', dir.path, 'load-raw', FIXTURE_RAW_DIR]);
    assert.equal(loaded.code, 0, loaded.stderr);
  });
  after(async () => dir.remove());

  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown table', ['run', '--tables', 'players', '--start', '2021-11-01', '--end', '2021-11-02'], /unknown table "players"/],
    ['an end before the start', ['run', '--start', '2021-11-02', '--end', '2021-11-01'], /end 2021-11-01 is before start 2021-11-02/],
    ['a date that does not exist', ['run', '--start', '2021-02-30', '--end', '2021-03-01'], /start: must be a real calendar date/],
    ['SQL in a date', ['run', '--start', "2021-11-01' OR 1=1 --", '--end', '2021-11-02'], /start: must be a real calendar date/],
    ['SQL in a table name', ['verify', '--tables', 'player_game_summary; DROP TABLE x'], /unknown table/],
    ['a missing required option', ['run', '--start', '2021-11-01'], /required option '--end <date>' not specified/],
    ['a wrong mode', ['run', '--start', '2021-11-01', '--end', '2021-11-02', '--mode', 'staging'], /argument 'staging' is invalid/],
    ['a zero concurrency', ['run', '--start', '2021-11-01', '--end', '2021-11-02', '--concurrency', '0'], /--concurrency must be a positive whole number/],
    ['an unknown command', ['backfil'], /unknown command 'backfil'/],
  ];
  for (const [what, args, message] of cases) {
    it(`exits 2 with a message and no stack trace on ${what}`, async () => {
      const result = await runCli(['--data-dir', dir.path, ...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  it('writes nothing for a rejected run', async () => {
    await runCli(['--data-dir', dir.path, 'run', '--start', '2021-11-02', '--end', '2021-11-01']);
    const status = await runCli(['--data-dir', dir.path, 'status']);
    assert.match(status.stdout, /no runs yet/);
  });

  it('says how to start when verify is pointed at an empty data dir', async () => {
    const result = await runCli(['--data-dir', join(dir.path, 'nowhere'), 'verify']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no local warehouse in .*nowhere: load raw data first/);
    assert.ok(!existsSync(join(dir.path, 'nowhere')), 'verify does not create a data dir');
  });

  it('rejects a raw file with a wrong header, loading nothing of the folder', async () => {
    const bad = join(dir.path, 'bad-raw');
    await mkdir(bad);
    await copyFile(join(FIXTURE_RAW_DIR, 'nbac_schedule.csv'), join(bad, 'nbac_schedule.csv'));
    const box = await readFile(join(FIXTURE_RAW_DIR, 'nbac_team_boxscore.csv'), 'utf8');
    await writeFile(join(bad, 'nbac_team_boxscore.csv'), box.replace('opponent_team_abbr', 'opp_abbr'));
    const fresh = join(dir.path, 'fresh');
    const result = await runCli(['--data-dir', fresh, 'load-raw', bad]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nbac_team_boxscore\.csv/);
    assert.match(result.stderr, /opponent_team_abbr/);
    assert.match(result.stderr, /nothing was loaded/);
    const warehouse = await DuckDbWarehouse.open({ path: join(fresh, 'warehouse.duckdb') });
    try {
      const { rows } = await warehouse.query<{ n: number }>({ sql: 'SELECT COUNT(*) AS n FROM nba_raw.nbac_schedule', params: {}, types: {}, label: 't' });
      assert.equal(Number(rows[0]?.n), 0, 'the good schedule file was not loaded either');
    } finally {
      await warehouse.close();
    }
  });

  it('asks for raw data before running in a data dir without a warehouse, and creates nothing there', async () => {
    const empty = join(dir.path, 'empty');
    const result = await runCli(['--data-dir', empty, 'run', '--start', '2021-11-01', '--end', '2021-11-02']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no local warehouse in .*empty: load raw data first/);
    assert.ok(!existsSync(empty), 'a mistyped --data-dir is not created');
  });

  it('asks for raw data before running on a warehouse whose schedule is empty', async () => {
    const headersOnly = join(dir.path, 'headers-only');
    await mkdir(headersOnly);
    const schedule = await readFile(join(FIXTURE_RAW_DIR, 'nbac_schedule.csv'), 'utf8');
    await writeFile(join(headersOnly, 'nbac_schedule.csv'), `${schedule.split('\n')[0] ?? ''}\n`);
    const data = join(dir.path, 'no-games');
    assert.equal((await runCli(['--data-dir', data, 'load-raw', headersOnly])).code, 0);
    const result = await runCli(['--data-dir', data, 'run', '--start', '2021-11-01', '--end', '2021-11-02']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nbac_schedule is empty/);
  });
});
