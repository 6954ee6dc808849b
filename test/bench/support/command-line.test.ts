import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startNode } from '../../support/cli.js';

/** The built benchmarks, run as `npm run bench:*` runs them. */
const bench = (name: string) => fileURLToPath(new URL(`../../../bench/${name}.js`, import.meta.url));
const run = (name: string, args: readonly string[]) => startNode(bench(name), args).done;
const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at |EPIPE/, `no stack trace:\n${stderr}`);

describe('a benchmark\'s command line (bench/support/command-line.ts)', function () {
  this.timeout(60_000);

  it('--help prints the usage and exits 0, without running anything', async function () {
    for (const name of ['scale', 'local-backfill', 'cli-start', 'ledger', 'query-census']) {
      const result = await run(name, ['--help']);
      assert.equal(result.code, 0, `${name}: ${result.stderr}`);
      assert.match(result.stdout, /^Usage:\n {2}npm run bench/, name);
      assert.equal(result.stderr, '', name);
    }
  });

  it('an unknown option or a bad value says what is wrong and the usage, and exits 2 without a stack trace', async function () {
    const cases: Array<[string, string[], RegExp]> = [
      ['scale', ['--nope'], /Unknown option '--nope'/],
      ['scale', ['--seed', 'x'], /--seed must be a positive whole number, got "x"/],
      ['scale', ['--parallel', '0'], /--parallel must be a positive whole number, got "0"/],
      ['local-backfill', ['--dates-per-job', '4001'], /--dates-per-job must be at most 4000, got 4001/],
      ['local-backfill', ['--concurrency', '1.5'], /--concurrency must be a positive whole number, got "1\.5"/],
      ['cli-start', ['--runs=-1'], /--runs must be a positive whole number, got "-1"/],
      ['ledger', ['--runs'], /Option '--runs <value>' argument missing/],
      ['query-census', ['--json'], /Unknown option '--json'/],
    ];
    for (const [name, args, says] of cases) {
      const result = await run(name, args);
      assert.equal(result.code, 2, `${name} ${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, says);
      assert.match(result.stderr, /\n\nUsage:\n/);
      assert.equal(result.stdout, '');
      noStack(result.stderr);
    }
  });

  it('stops with 141 and no stack trace when the reader of its output is gone (`| head`)', async function () {
    // Before: "Error: write EPIPE" and an unhandled 'error' event, exit 1. `--only` matching no run keeps it short.
    const { child, done } = startNode(bench('scale'), ['--memory', '--only', 'no run has this name']);
    child.stdout?.destroy();
    const result = await done;
    assert.equal(result.code, 141, result.stderr);
    noStack(result.stderr);
  });
});
