import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LocalLedger } from '../../adapters/local/local-ledger.js';
import { CLI, runCli, type CliResult } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';
import { shellQuote } from '../support/private-tmpfs.js';

/**
 * stdout read by a program that stops reading (`| head`). Before: `status | head -3` died with an
 * unhandled EPIPE stack trace, and `run ... | head -1` processed every chunk, then crashed writing
 * the report with exit 1.
 */

const CLOSED_PIPE = 141;

/** The CLI with its stdout a pipe whose reader is gone before the first write. */
function withStdoutClosed(args: readonly string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr })));
}

/** A shell pipeline; the CLI's own exit code (bash PIPESTATUS) and what came out of the pipe. */
function pipeline(args: readonly string[], reader: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = `${[process.execPath, CLI, ...args].map(shellQuote).join(' ')} | ${reader}; echo "exit=\${PIPESTATUS[0]}" >&2`;
  const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.on('close', () => {
    const code = Number(/exit=(\d+)\s*$/.exec(stderr)?.[1] ?? -1);
    resolve({ code, stdout, stderr: stderr.replace(/exit=\d+\s*$/, '') });
  }));
}

const assertQuiet = (stderr: string) => {
  assert.doesNotMatch(stderr, /EPIPE|\n\s+at |Error/, `quiet on stderr:\n${stderr}`);
};

describe('fault: stdout closed by its reader', function () {
  this.timeout(240_000);
  let dir: { path: string; remove: () => Promise<void> };
  let data: string;
  const RANGE = ['--start', '2018-04-14', '--end', '2018-04-20'];

  before(async function () {
    dir = await tempDir('closed-pipe-');
    data = join(dir.path, 'data');
    assert.equal((await runCli(['--data-dir', data, 'load-raw', FIXTURE_RAW_DIR])).code, 0);
    // A few runs, so status has more to say than three lines.
    for (const table of ['team_offense_game_summary', 'team_defense_game_summary', 'upcoming_team_game_context']) {
      assert.equal((await runCli(['--data-dir', data, 'run', '--tables', table, ...RANGE])).code, 0);
    }
  });
  after(async () => dir.remove());

  it('status | head -3: three lines, no stack trace, exit 0 or 141', async function () {
    const piped = await pipeline(['--data-dir', data, 'status'], 'head -3');
    assert.equal(piped.stdout.match(/\n/g)?.length, 3, piped.stdout);
    assertQuiet(piped.stderr);
    assert.ok(piped.code === 0 || piped.code === CLOSED_PIPE, `exit ${piped.code}`);
    // Deterministic: the reader is gone before the first write.
    const closed = await withStdoutClosed(['--data-dir', data, 'status']);
    assert.equal(closed.code, CLOSED_PIPE, closed.stderr);
    assertQuiet(closed.stderr);
  });

  it('run | head -1: the work is kept (finished, or stopped as on Ctrl-C and resumable), no stack trace, exit 141', async function () {
    const args = ['--data-dir', data, 'run', '--tables', 'player_game_summary', ...RANGE];
    const piped = await pipeline(args, 'head -1');
    assert.match(piped.stdout, /^Planned run-20180414-20180420-\w+: \d+ chunks \(player_game_summary \d+\)\n$/);
    assert.equal(piped.code, CLOSED_PIPE, piped.stderr);
    assertQuiet(piped.stderr.replace(/^\[\d+s\] .*\n/gm, ''));
    // When the reader leaves decides how far the run got: head may exit before the
    // plan's second line (the run stops before its first chunk) or only at the
    // summary (the run has succeeded). Either way nothing is lost and the same
    // command finishes what is left.
    const stateOfRun = async () => {
      const ledger = await LocalLedger.open({ path: join(data, 'ledger.duckdb'), readOnly: true });
      try {
        return (await ledger.listRuns()).find((r) => r.request.tables.join() === 'player_game_summary')?.state;
      } finally {
        await ledger.close();
      }
    };
    const state = await stateOfRun();
    assert.ok(state === 'succeeded' || state === 'active', `run state ${state}`);
    if (state === 'active') {
      const resumed = await runCli(args);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stdout, /^Resuming run-20180414-20180420-\w+/m);
    }
    assert.equal(await stateOfRun(), 'succeeded');
  });

  it('a run whose stdout closes before it starts stops as on Ctrl-C: in-flight chunks checkpointed, resumable, exit 141', async function () {
    const args = ['--data-dir', data, 'run', '--tables', 'upcoming_player_game_context', '--start', '2018-04-14', '--end', '2018-05-31', '--dates-per-job', '1', '--concurrency', '1'];
    const closed = await withStdoutClosed(args);
    assert.equal(closed.code, CLOSED_PIPE, closed.stderr);
    assertQuiet(closed.stderr.replace(/^\[\d+s\] .*\n/gm, ''));
    const ledger = await LocalLedger.open({ path: join(data, 'ledger.duckdb'), readOnly: true });
    try {
      // The run's chunks: the context's, and the history it reads, built first.
      const chunks = await ledger.listChunks({});
      const done = chunks.filter((c) => c.state === 'succeeded').length;
      assert.ok(done >= 1 && done < chunks.length, `it stopped early, with what it did checkpointed (${done}/${chunks.length})`);
    } finally {
      await ledger.close();
    }
    const resumed = await runCli(args);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^Resuming run-20180414-20180531-\w+/m);
  });
});
