import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, startCli } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';
import { startApiServer, type ApiServer } from '../support/api-server.js';
import { freePort } from '../../dev/free-port.js';
import { recordAndShow } from '../../shared/alerts/history.js';
import { verify } from '../../shared/verify/verify.js';
import { parseVerificationScope } from '../../shared/verify/verification-scope.js';

/**
 * `backfill run|status|verify --api URL`, as a user runs them (the built CLI in its own process),
 * against backfillApi on functions-framework. Nothing drives runs here: following a run to its end is
 * in test/dev/dev-stack.test.ts, against the whole local stack.
 */
describe('the CLI with --api', function () {
  this.timeout(90_000);
  let api: ApiServer;
  let dir: { path: string; remove: () => Promise<void> };

  before(async function () {
    api = await startApiServer();
    dir = await tempDir('cli-api-');
    const loaded = await runCli(['--data-dir', dir.path, 'load-raw', FIXTURE_RAW_DIR]);
    assert.equal(loaded.code, 0, loaded.stderr);
  });

  after(async function () {
    await api.close();
    await dir.remove();
  });

  it('status --api shows the runs the API knows, with their chunk counts by state and table', async function () {
    const started = await fetch(`${api.url}/backfills`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tables: ['team_offense_game_summary'], start: '2018-04-14', end: '2018-04-16' }),
    });
    const { runId } = (await started.json()) as { runId: string };
    const all = await runCli(['status', '--api', api.url]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, new RegExp(`${runId} {2}ACTIVE {2}production {2}2018-04-14\\.\\.2018-04-16`));
    assert.match(all.stdout, /│ team_offense_game_summary │ 3 +│ 0 +│ 0 +│ 0 +│ 0 +│ 0 +│ 0 +│ 3 +│/);
    assert.match(all.stdout, /`backfill verify --api http:\/\/127\.0\.0\.1:\d+` reads the warehouse itself/);

    const one = await runCli(['status', '--api', api.url, '--run', runId]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, new RegExp(runId));
    const unknown = await runCli(['status', '--api', api.url, '--run', 'run-20000101-20000102-000000000000']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no run run-20000101-20000102-000000000000 at http:\/\/127\.0\.0\.1:\d+/);
  });

  it('verify --api prints the report the local verify prints, and exits 0 when every table is COMPLETE, 1 when not', async function () {
    const complete = await runCli(['verify', '--api', api.url, '--start', '2019-01-01', '--end', '2019-01-02']);
    assert.equal(complete.code, 0, complete.stderr);
    assert.match(complete.stdout, /5\/5 tables complete \(100%\); overall COMPLETE/);

    const scope = ['--tables', 'team_offense_game_summary,player_game_summary', '--start', '2018-04-21', '--end', '2018-04-22'];
    const remote = await runCli(['verify', '--api', api.url, ...scope]);
    assert.equal(remote.code, 1, remote.stderr);
    const local = await runCli(['--data-dir', dir.path, 'verify', ...scope]);
    assert.equal(local.code, 1, local.stderr);
    // The local CLI records its verification in the data dir's history; GET /verify only reads the API's.
    const withoutTime = (text: string) => text.replace(/ at \d{4}-\d\d-\d\dT[\d:.]+Z/, '').replace(/^.*\(history of [^)]+\)$/m, '');
    assert.equal(withoutTime(remote.stdout), withoutTime(local.stdout));
    assert.match(remote.stdout, /2 dates not processed/);

    const json = await runCli(['verify', '--api', api.url, ...scope, '--format', 'json']);
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout) as { overall: { status: string } }).overall.status, 'INCOMPLETE');
  });

  it('shows when a scope last passed: in GET /verify, in GET /verifications and in status --api', async function () {
    // The daily scheduled verification (a rolling scope, keyed by its start) passed once, then failed.
    const scope = { tables: ['team_offense_game_summary'] as const, start: '2019-01-01', end: '2019-01-02', mode: 'production' as const };
    const passed = await verify({ warehouse: api.warehouse, scope: parseVerificationScope({ ...scope, tables: [...scope.tables] }), now: Date.parse('2024-07-01T06:00:00Z') });
    assert.equal(passed.overall.status, 'COMPLETE');
    await recordAndShow(api.history, passed, 'scheduled', null);
    const failed = { ...passed, generatedAt: '2024-07-02T06:00:00.000Z', overall: { ...passed.overall, status: 'INCOMPLETE' as const } };
    await recordAndShow(api.history, failed, 'scheduled', null);

    // No end: the scope runs through yesterday, like the scheduled verification's.
    const rolling = await fetch(`${api.url}/verify?tables=team_offense_game_summary&start=2019-01-01&format=text`);
    assert.equal(rolling.status, 200);
    assert.match(await rolling.text(), /^Last passed 2024-07-01T06:00:00\.000Z; last verified 2024-07-02T06:00:00\.000Z \(history of production:2019-01-01\.\.\)$/m);

    const listed = (await (await fetch(`${api.url}/verifications?limit=5`)).json()) as { verifications: Array<{ verifiedAt: string; trigger: string; status: string }> };
    assert.deepEqual(listed.verifications.map((v) => [v.verifiedAt, v.trigger, v.status]), [
      ['2024-07-02T06:00:00.000Z', 'scheduled', 'INCOMPLETE'],
      ['2024-07-01T06:00:00.000Z', 'scheduled', 'COMPLETE'],
    ]);

    const status = await runCli(['status', '--api', api.url]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Latest verifications \(from the warehouse, newest first\)/);
    assert.match(status.stdout, /2024-07-02 06:00:00 +│ scheduled +│ production:2019-01-01\.\. +│ INCOMPLETE/);
  });

  it('run --api stops following on Ctrl-C, leaving the run to the service, and says how to follow it', async function () {
    const { child, done } = startCli(['run', '--api', api.url, '--tables', 'upcoming_team_game_context', '--start', '2018-04-20', '--end', '2018-04-21']);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    for (let i = 0; i < 200 && !/Ctrl-C stops following/.test(out); i += 1) await sleep(50);
    child.kill('SIGINT');
    const result = await done;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stdout, /^Started (run-20180420-20180421-\w+) at http:\/\/127\.0\.0\.1:\d+: 2 chunks \(upcoming_team_game_context 2\)/);
    assert.match(result.stdout, /Stopped following\. run-20180420-20180421-\w+ goes on at the service: backfill status --api http:\/\/127\.0\.0\.1:\d+ --run run-20180420-20180421-\w+/);
    const runs = (await (await fetch(`${api.url}/backfills`)).json()) as { runs: Array<{ state: string; request: { start: string } }> };
    assert.equal(runs.runs.find((r) => r.request.start === '2018-04-20')?.state, 'active', 'the run was not cancelled');
  });

  it('refuses the flags of a local run', async function () {
    const result = await runCli(['run', '--api', api.url, '--start', '2018-04-14', '--end', '2018-04-15', '--concurrency', '4', '--dates-per-job', '2']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--concurrency, --dates-per-job shape a local run; with --api the service's config decides/);
  });

  it('exits 2 for a bad URL and 3 when nothing answers there, with what to check and no stack trace', async function () {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const cases: Array<[string[], number, RegExp]> = [
      [['verify', '--api', closed], 3, /cannot reach the API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. Is `npm run dev` running/],
      [['status', '--api', closed], 3, /cannot reach the API/],
      [['run', '--api', closed, '--start', '2018-04-14', '--end', '2018-04-15'], 3, /cannot reach the API/],
      [['verify', '--api', 'localhost:8080'], 2, /--api must be an http or https URL like http:\/\/127\.0\.0\.1:8080/],
      [['status', '--api', 'not a url'], 2, /--api must be a URL like http:\/\/127\.0\.0\.1:8080/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
