import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { runCli } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';

/**
 * Issue 14 on the real-data fixture (2021-10-19..2021-11-20: the start of the 2021-22 season, complete for the
 * team tables): a range with one date excluded ends green, its verification of the same scope too, and the whole
 * range still shows the date missing.
 */
const TEAM = 'team_offense_game_summary,team_defense_game_summary';
const RANGE = ['--start', '2021-11-01', '--end', '2021-11-20'];
const EXCLUDED = '2021-11-15';

describe('excluded dates: part of the request and of its verification (local CLI)', function () {
  this.timeout(240_000);
  let dir: { path: string; remove: () => Promise<void> };
  const at = () => ['--data-dir', dir.path];

  before(async function () {
    dir = await tempDir('excluded-dates-');
    assert.equal((await runCli([...at(), 'load-raw', FIXTURE_RAW_DIR])).code, 0);
  });
  after(async () => dir.remove());

  it('says an exclusion is not needed when only a test run touched the date, then ends COMPLETE with the date listed as excluded', async function () {
    const test = await runCli([...at(), 'run', '--mode', 'test', '--tables', TEAM, '--start', EXCLUDED, '--end', EXCLUDED]);
    assert.equal(test.code, 0, test.stdout + test.stderr);

    const run = await runCli([...at(), 'run', '--tables', TEAM, ...RANGE, '--exclude-date', EXCLUDED]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /note: 2021-11-15: only a test run wrote this date \(test_nba_analytics\); test runs never write nba_analytics, so excluding it is not needed/);
    assert.match(run.stdout, /Verification of production 2021-11-01\.\.2021-11-20 excluding 2021-11-15/);
    assert.match(run.stdout, /team_offense_game_summary +│ +\d+ │ +\d+ │ 19\/19 \(\+1 excluded\) │ +100\.0% │ COMPLETE/);
    assert.match(run.stdout, /2\/2 tables complete \(100%\)/);
  });

  it('passes the verification of the same scope, and lists the excluded date with the test rows found there', async function () {
    const verify = await runCli([...at(), 'verify', '--tables', TEAM, ...RANGE, '--exclude-date', EXCLUDED, '--format', 'json']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    const report = JSON.parse(verify.stdout) as { scope: { excludeDates: string[] }; tables: Array<{ excludedDates: number; problems: Array<{ kind: string; reason?: string; dates?: Array<{ date: string; rows: number; testRows: number | null }> }> }> };
    assert.deepEqual(report.scope.excludeDates, [EXCLUDED]);
    for (const t of report.tables) {
      assert.equal(t.excludedDates, 1);
      const excluded = t.problems.find((p) => p.kind === 'date_rows' && p.reason === 'excluded');
      assert.deepEqual(excluded?.dates?.map((d) => [d.date, d.rows, (d.testRows ?? 0) > 0]), [[EXCLUDED, 0, true]]);
    }
  });

  it('still shows the date missing in a verification of the whole range', async function () {
    const verify = await runCli([...at(), 'verify', '--tables', TEAM, ...RANGE]);
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(verify.stdout, /1 date only in the test dataset \(test_only\)\n\s+dates: 2021-11-15/);
  });

  it('refuses a malformed exclusion, one outside the range, or more than the limit, with exit 2 and nothing written', async function () {
    const before = existsSync(join(dir.path, 'ledger.duckdb'));
    const cases: Array<[string[], RegExp]> = [
      [['run', '--tables', TEAM, ...RANGE, '--exclude-date', '2021-11-31'], /excludeDates\.0: must be a real calendar date/],
      [['run', '--tables', TEAM, ...RANGE, '--exclude-date', '2021-12-01'], /excludeDates: 2021-12-01 is outside 2021-11-01\.\.2021-11-20/],
      [['verify', '--tables', TEAM, ...RANGE, '--exclude-date', '2021-10-31'], /2021-10-31 is outside 2021-11-01\.\.2021-11-20/],
      [['run', '--tables', TEAM, '--start', '2016-10-01', '--end', '2024-06-30', ...Array.from({ length: 5001 }, (_, i) => ['--exclude-date', new Date(Date.UTC(2017, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)]).flat()], /at most 5000 excluded dates/],
    ];
    for (const [args, message] of cases) {
      const out = await runCli([...at(), ...args]);
      assert.equal(out.code, 2, `${args.slice(0, 6).join(' ')}: ${out.stderr}`);
      assert.match(out.stderr, message);
    }
    assert.equal(existsSync(join(dir.path, 'ledger.duckdb')), before);
    const status = await runCli([...at(), 'status']);
    assert.doesNotMatch(status.stdout, /run-20161001-20240630/, "no run of the refused request was recorded");
  });
});
