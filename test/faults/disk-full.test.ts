import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, runCli } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';
import { capture, captured, runWithTmpfs, shellQuote } from '../support/private-tmpfs.js';

/**
 * The data dir on a small tmpfs that fills up in the middle of a run (a private mount namespace, so
 * nothing outside the test sees it). Before: the run logged one "Could not write file" and hung for
 * minutes, Ctrl-C said the checkpoints were saved and failed, and status and verify failed too
 * because opening the files wrote to them.
 */

// The 2018 playoffs: complete raw data for all five tables.
const RANGE = ['--start', '2018-04-14', '--end', '2018-05-31'];
const RUN = ['run', '--tables', 'all', ...RANGE];
/** Room left on the tmpfs after the data dir: less than the run writes. */
const ROOM_BYTES = 1_000_000;

describe('fault: the disk of the data dir fills up mid-run', function () {
  this.timeout(600_000);
  let dir: { path: string; remove: () => Promise<void> };

  before(async function () {
    dir = await tempDir('disk-full-');
    const loaded = await runCli(['--data-dir', join(dir.path, 'data'), 'load-raw', FIXTURE_RAW_DIR]);
    assert.equal(loaded.code, 0, loaded.stderr);
  });
  after(async () => dir.remove());

  it('stops the run at once with exit 3 and one message naming the file; status and verify still answer; freed, the same run finishes exact', async function () {
    const mnt = join(dir.path, 'mnt');
    const out = join(dir.path, 'out');
    await mkdir(mnt);
    await mkdir(out);
    const cli = (...args: string[]) => [process.execPath, CLI, '--data-dir', join(mnt, 'data'), ...args].map(shellQuote).join(' ');
    const run = await runWithTmpfs({
      mountPoint: mnt,
      sizeBytes: 16 * 1024 * 1024,
      timeoutMs: 540_000,
      script: [
        `cp -a ${shellQuote(join(dir.path, 'data'))} ${shellQuote(join(mnt, 'data'))}`,
        `avail=$(df -B1 --output=avail ${shellQuote(mnt)} | tail -1)`,
        `fallocate -l $((avail - ${ROOM_BYTES})) ${shellQuote(join(mnt, 'filler'))}`,
        // The run's time limit is what "hung" means here: it must end well before.
        capture(out, 'run', cli(...RUN), 120),
        // Whatever room the failed writes left, none now: status and verify must not need any.
        `dd if=/dev/zero of=${shellQuote(join(mnt, 'filler2'))} bs=4096 2>/dev/null; true`,
        capture(out, 'status', cli('status'), 60),
        capture(out, 'verify', cli('verify', ...RANGE), 60),
        capture(out, 'load', [process.execPath, CLI, '--data-dir', join(mnt, 'data'), 'load-raw', FIXTURE_RAW_DIR].map(shellQuote).join(' '), 60),
        `rm -f ${shellQuote(join(mnt, 'filler'))} ${shellQuote(join(mnt, 'filler2'))}`,
        capture(out, 'resumed', cli(...RUN), 300),
      ].join('\n'),
    });
    assert.equal(run.code, 0, run.output);

    const full = await captured(out, 'run');
    assert.notEqual(full.code, 137, `the run did not end within 120 s of a full disk (killed): ${full.stderr.slice(-2000)}`);
    assert.equal(full.code, 3, `run on a full disk: exit 3, got ${full.code}\n${full.stdout.slice(-1000)}\n${full.stderr.slice(-3000)}`);
    const errors = full.stderr.split('\n').filter((line) => line.startsWith('error: '));
    assert.equal(errors.length, 1, full.stderr.slice(-3000));
    assert.match(errors[0] ?? '', /^error: the disk holding \S+\/data\/(warehouse|ledger|alerts)\.duckdb \(.*\) is full \(.*No space left on device.*\)\. Free some space and run the same command again: what was checkpointed is kept\.$/);
    assert.doesNotMatch(full.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(full.stdout, /Checkpoints are saved|Interrupted/);

    const status = await captured(out, 'status');
    assert.equal(status.code, 0, `status on a full disk: ${status.stderr}`);
    assert.match(status.stdout, /run-20180414-20180531-\w+ {2}INTERRUPTED {2}production/);
    assert.doesNotMatch(status.stdout, /ACTIVE/);
    assert.equal(runningCells(status.stdout), 0, `no chunk is shown running or queued once its process is gone:\n${status.stdout}`);

    const verify = await captured(out, 'verify');
    assert.equal(verify.code, 1, `verify on a full disk answers (not complete: exit 1), got ${verify.code}: ${verify.stderr}`);
    assert.match(verify.stdout, /overall INCOMPLETE/);
    assert.doesNotMatch(verify.stdout, /IN_PROGRESS/, 'no process works on the run');
    assert.match(verify.stdout, /^Note: History \(this verification was not recorded\) unavailable: the disk holding \S+alerts\.duckdb .* is full/m);

    const load = await captured(out, 'load');
    assert.equal(load.code, 3, `load-raw on a full disk: ${load.stderr}`);
    assert.match(load.stderr, /^error: the disk holding \S+ \(.*\) is full \(.*\)\. Free some space and run the same command again/);

    const resumed = await captured(out, 'resumed');
    assert.equal(resumed.code, 0, `${resumed.stdout.slice(-3000)}\n${resumed.stderr.slice(-2000)}`);
    assert.match(resumed.stdout, /^Resuming run-20180414-20180531-\w+/m);
    assert.match(resumed.stdout, /5\/5 tables complete \(100%\); overall COMPLETE/);
  });
});

/** Sum of the queued and running columns of status's tables. */
function runningCells(text: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const cells = line.split('│').map((c) => c.trim()).filter(Boolean);
    if (cells.length === 9 && cells[0] !== 'table') sum += Number(cells[2]) + Number(cells[3]);
  }
  return sum;
}
