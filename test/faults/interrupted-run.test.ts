import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, startCli } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';

/**
 * A local run whose process is killed. Before: until the next `run`, `status` showed it ACTIVE with
 * dozens of chunks "running" and `verify` said IN_PROGRESS though no process ran, and the resumed
 * run's progress counted the chunks of the dead process as its own ("28227.6/s, ETA 1s").
 */

const RUN = ['run', '--tables', 'all', '--start', '2018-04-14', '--end', '2018-05-31', '--dates-per-job', '1', '--concurrency', '2'];

describe('fault: a local run killed (SIGKILL), then looked at', function () {
  this.timeout(300_000);
  let dir: { path: string; remove: () => Promise<void> };
  let data: string;

  before(async function () {
    dir = await tempDir('interrupted-');
    data = join(dir.path, 'data');
    assert.equal((await runCli(['--data-dir', data, 'load-raw', FIXTURE_RAW_DIR])).code, 0);
  });
  after(async () => dir.remove());

  it('while it runs, status and verify say the data dir is in use (exit 3); killed, status shows it INTERRUPTED with no chunk in flight, verify says INCOMPLETE (exit 1), and the resume counts only its own rate', async function () {
    const first = startCli(['--data-dir', data, '-v', ...RUN]);
    let processed = 0;
    let busy: Promise<Array<Awaited<ReturnType<typeof runCli>>>> | undefined;
    first.child.stderr?.on('data', (d: Buffer) => {
      processed += (d.toString().match(/chunk message processed/g) ?? []).length;
      // Asked while the run holds the files.
      if (processed >= 5 && !busy) busy = Promise.all([runCli(['--data-dir', data, 'status']), runCli(['--data-dir', data, 'verify'])]);
      if (processed >= 60) first.child.kill('SIGKILL');
    });
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL', `the run was killed before it finished: ${killed.stdout}`);
    assert.ok(busy);
    for (const result of await busy) {
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /^error: \S+ is in use by another backfill process \(a run, or npm run dev\): \S+\.duckdb is locked\. Wait for it to finish, or use another --data-dir\.\n$/);
    }

    const status = await runCli(['--data-dir', data, 'status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /run-20180414-20180531-\w+ {2}INTERRUPTED {2}production/);
    assert.match(status.stdout, /the process running it ended before it finished; run the same command again to resume it/);
    for (const line of status.stdout.split('\n').filter((l) => /│ \w+_game_\w+ /.test(l))) {
      const [, , queued, running] = line.split('│').map((c) => c.trim()).filter(Boolean);
      assert.equal(`${queued}/${running}`, '0/0', `no chunk queued or running once its process is gone: ${line}`);
    }

    const verify = await runCli(['--data-dir', data, 'verify', '--start', '2018-04-14', '--end', '2018-05-31']);
    assert.equal(verify.code, 1, verify.stderr);
    assert.match(verify.stdout, /overall INCOMPLETE/);
    assert.doesNotMatch(verify.stdout, /IN_PROGRESS/);

    const resumed = await runCli(['--data-dir', data, ...RUN]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^ {2}\d+ chunks left in flight by an interrupted process put back$/m);
    // The first progress line: nothing settled by this process yet, whatever the one before did.
    const [firstLine] = resumed.stderr.split('\n').filter((l) => l.startsWith('['));
    assert.match(firstLine ?? '', /^\[0s\] (\d+)\/\d+ chunks \(0\.0\/s, ETA unknown\)/, resumed.stderr.slice(0, 500));
    assert.ok(Number(/^\[0s\] (\d+)\//.exec(firstLine ?? '')?.[1]) >= 50, 'the resumed run started with the chunks of the killed one settled');
  });
});
