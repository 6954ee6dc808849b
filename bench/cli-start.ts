/**
 * Benchmark: how long the CLI takes to start on a built checkout, as a user starts it. Prints its
 * numbers; asserts nothing.
 * Usage: USAGE below (`--help` prints it).
 *
 * `npm run backfill -- --help` includes npm itself and the up-to-date check of tools/build.mjs (which
 * compiles nothing on a built checkout); `node dist/cli/main.js --help` is what the `backfill` bin runs.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BenchCommandLine } from './support/command-line.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const USAGE = `Usage:
  npm run bench:cli               # 10 runs of each
  npm run bench:cli -- --runs 30`;
const runs = new BenchCommandLine(USAGE, { runs: { type: 'string', default: '10' } }).wholeNumber('runs');

const commands: Array<{ label: string; command: string; args: string[] }> = [
  { label: 'npm run backfill -- --help', command: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: ['run', '-s', 'backfill', '--', '--help'] },
  { label: 'node dist/cli/main.js --help (the backfill bin)', command: process.execPath, args: ['dist/cli/main.js', '--help'] },
];

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

console.log(`CLI start, ${runs} runs each (node ${process.version}, ${cpus().length} cores)`);
for (const { label, command, args } of commands) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
    times.push(performance.now() - t);
    if (result.status !== 0 || !result.stdout.includes('Usage: backfill')) {
      throw new Error(`${label} failed (exit ${result.status}): ${result.stderr}`);
    }
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  console.log(`  ${label.padEnd(50)} median ${seconds(median)}, min ${seconds(times[0] ?? 0)}, max ${seconds(times[times.length - 1] ?? 0)}`);
}
