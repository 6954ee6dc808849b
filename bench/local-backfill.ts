/**
 * Benchmark: the full local backfill of all five tables over the seed range on the generated sample
 * (and, with --real, on ../shared/data/raw). Prints its numbers; asserts nothing.
 *
 * Beside the backfill, in the same run, the local floor: the same transforms once per table over the
 * whole range, no ledger (bench/support/local-floor.ts), on a second warehouse loaded the same way.
 *
 * Usage: USAGE below (`--help` prints it).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir, cpus } from 'node:os';
import { DEFAULTS, LIMITS, SEED_RANGE } from '../shared/config/defaults.js';
import { silentLogger } from '../shared/log/logger.js';
import { parseBackfillRequest, scopeOfRequest } from '../shared/planning/backfill-request.js';
import { loadRawDirectory } from '../adapters/duckdb/load-raw.js';
import { writeSample } from '../sample/sample-writer.js';
import { openLocalStack } from '../cli/local-stack.js';
import { runBackfill } from '../cli/commands/run.js';
import { runVerification } from '../shared/api/verify-endpoint.js';
import { systemClock } from '../shared/ports/clock.js';
import { tableSpec } from '../shared/tables/registry.js';
import { localFloor, type LocalFloor } from './support/local-floor.js';
import { met } from './support/targets.js';
import { BenchCommandLine, removeOnExit } from './support/command-line.js';
import { makeDirectory } from '../cli/make-directory.js';

const USAGE = `Usage:
  npm run bench                         # sample, default settings
  npm run bench -- --dates-per-job 31   # compare batch sizes (1 to ${LIMITS.maxDatesPerJob})
  npm run bench -- --concurrency 3      # jobs at once (1 to ${LIMITS.maxConcurrency})
  npm run bench -- --real               # the real NBA data beside the repo
  npm run bench -- --sample DIR         # the generated sample's folder (made there when missing; default .bench/sample)
  npm run bench -- --json               # the same, then one JSON object on the last line`;
const commandLine = new BenchCommandLine(USAGE, {
  real: { type: 'boolean', default: false },
  'dates-per-job': { type: 'string', default: String(DEFAULTS.localDatesPerJob) },
  concurrency: { type: 'string', default: String(DEFAULTS.localConcurrency) },
  sample: { type: 'string', default: '.bench/sample' },
  json: { type: 'boolean', default: false },
});
const { values } = commandLine;
const datesPerJob = commandLine.wholeNumber('dates-per-job', LIMITS.maxDatesPerJob);
const concurrency = commandLine.wholeNumber('concurrency', LIMITS.maxConcurrency);

async function main(): Promise<void> {
  let rawDir: string;
  if (values.real) {
    rawDir = resolve('../shared/data/raw');
    if (!existsSync(join(rawDir, 'nbac_schedule.csv'))) throw new Error(`--real needs ${rawDir} (the team folder beside the repo)`);
  } else {
    rawDir = resolve(values.sample);
    if (!existsSync(join(rawDir, 'nbac_schedule.csv'))) {
      const t = performance.now();
      await makeDirectory(rawDir);
      await writeSample(rawDir, {});
      console.log(`generated the sample into ${rawDir} in ${((performance.now() - t) / 1000).toFixed(1)}s (not counted below)`);
    }
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'backfill-bench-'));
  const floorDir = await mkdtemp(join(tmpdir(), 'backfill-bench-floor-'));
  removeOnExit(dataDir);
  removeOnExit(floorDir);
  const stack = await openLocalStack(dataDir);
  try {
    let t = performance.now();
    const loaded = await loadRawDirectory(stack.warehouse, rawDir);
    const loadSeconds = (performance.now() - t) / 1000;
    const request = parseBackfillRequest({ tables: 'all', start: SEED_RANGE.start, end: SEED_RANGE.end });
    const devnull = { write: () => true } as unknown as NodeJS.WritableStream;
    t = performance.now();
    const summary = await runBackfill(stack, request, {
      concurrency, datesPerJob, maxAttempts: DEFAULTS.maxAttempts, progressIntervalMs: 60_000, out: devnull, logger: silentLogger,
    });
    const runSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const verification = await runVerification({ warehouse: stack.warehouse, ledger: stack.ledger, clock: systemClock }, scopeOfRequest(request), 'text');
    const verifySeconds = (performance.now() - t) / 1000;

    // The floor, on a warehouse of its own loaded from the same files (its load is not timed).
    const floorStack = await openLocalStack(floorDir);
    let floor: LocalFloor;
    let sameRows: boolean;
    try {
      await loadRawDirectory(floorStack.warehouse, rawDir);
      floor = await localFloor(floorStack.warehouse, request);
      sameRows = true;
      for (const f of floor.tables) {
        const spec = tableSpec(f.table);
        const ours = await stack.warehouse.countRows(spec, request.mode, f.gameDates);
        const theirs = await floorStack.warehouse.countRows(spec, request.mode, f.gameDates);
        if (f.gameDates.some((d) => ours[d] !== theirs[d])) sameRows = false;
      }
    } finally {
      await floorStack.close();
    }

    const rows = Object.values(loaded).reduce((a, b) => a + Number(b), 0);
    console.log(`\nLocal backfill benchmark (${values.real ? 'real data ../shared/data/raw' : 'generated sample'}), ${cpus().length} cores, node ${process.version}`);
    console.table([
      { step: 'load raw', seconds: loadSeconds.toFixed(2), detail: `${rows.toLocaleString()} raw rows` },
      { step: 'backfill 5 tables', seconds: runSeconds.toFixed(2), detail: `${summary.chunks} chunks, ${(summary.chunks / runSeconds).toFixed(1)} chunks/s, run ${summary.state}` },
      { step: 'local floor', seconds: floor.seconds.toFixed(2), detail: `one job a table over the whole range, no ledger (planning ${floor.planSeconds.toFixed(2)} s not counted)` },
      { step: 'verify 5 tables', seconds: verifySeconds.toFixed(2), detail: verification.report.overall.line },
    ]);
    console.table(floor.tables.map((f) => ({ 'floor: table': f.table, dates: f.gameDates.length, rows: f.rows, seconds: f.seconds.toFixed(2) })));
    console.log(`backfill / floor: ${(runSeconds / floor.seconds).toFixed(2)}x; the floor wrote the same rows per table as the backfill: ${sameRows ? 'yes' : 'NO'}`);
    console.log(`settings: --concurrency ${concurrency} --dates-per-job ${datesPerJob}`);
    console.log('\nTargets:');
    console.log(`  backfill <= 5 s (issue 8): ${met(runSeconds <= 5)} (${runSeconds.toFixed(2)} s)`);
    console.log(`  backfill <= 2x the local floor (issue 8): ${met(runSeconds <= 2 * floor.seconds)} (${(runSeconds / floor.seconds).toFixed(2)}x)`);
    console.log(`  verification under 2 s: ${met(verifySeconds < 2)} (${verifySeconds.toFixed(2)} s)`);
    console.log(`peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    if (values.json) {
      console.log(JSON.stringify({
        backfillSeconds: round(runSeconds), floorSeconds: round(floor.seconds), ratio: round(runSeconds / floor.seconds), sameRows,
        loadSeconds: round(loadSeconds), verifySeconds: round(verifySeconds), floorPlanSeconds: round(floor.planSeconds),
        chunks: summary.chunks, runState: summary.state, concurrency, datesPerJob, data: values.real ? 'real' : 'sample',
      }));
    }
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(floorDir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
