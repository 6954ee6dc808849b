/**
 * Benchmark: the full seed range, all five tables, through the real core, the real Firestore ledger and
 * Pub/Sub queue on their emulators, and the BigQuery limits model, in modelled Google Cloud time.
 * Prints its numbers; asserts nothing. Needs Java 17 and the two emulators (see README).
 *
 *   npm run bench:scale                      # everything (a few minutes of real time)
 *   npm run bench:scale -- --skip-sweep      # only the emulator run and the reconcile growth
 *   npm run bench:scale -- --skip-growth
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { BIGQUERY_LIMITS, DEFAULT_JOB_LATENCIES } from './simulator/bigquery-limits.js';
import { SEED_RANGE } from '../shared/config/defaults.js';
import { parseBackfillRequest } from '../shared/planning/backfill-request.js';
import { startFirestoreEmulator, startPubSubEmulator, type Emulator } from '../dev/emulators.js';
import { emulatorBackend, inMemoryBackend } from './support/backends.js';
import { limitsFloor, oneDateAtATimeSeconds } from './support/floor.js';
import { sampleGamesByDate } from './support/game-dates.js';
import { measureReconcileGrowth } from './support/growth.js';
import { CHOSEN_PLAN, describePlan, SWEEP, type NamedPlan } from './support/plans.js';
import { count, describeModel, details, growthTable, headline, minutes, sweepTable } from './support/report.js';
import { runScenario, type ScenarioProgress, type ScenarioResult } from './support/scenario.js';

// The bench talks only to its own emulators: Google clients must not probe for a metadata server.
process.env.GCE_METADATA_HOST ??= '127.0.0.1:1';
process.env.METADATA_SERVER_DETECTION ??= 'none';

const { values } = parseArgs({
  options: {
    'skip-sweep': { type: 'boolean', default: false },
    'skip-growth': { type: 'boolean', default: false },
  },
});

const GROWTH_SIZES = [1_000, 10_000, 100_000] as const;
const PROGRESS_EVERY_MS = 10_000;
const benchStart = performance.now();

function elapsed(): string {
  return `${((performance.now() - benchStart) / 1000).toFixed(0).padStart(4)} s`;
}

function log(line: string): void {
  console.log(`[${elapsed()}] ${line}`);
}

/** A progress printer for one scenario: a line at most every PROGRESS_EVERY_MS of real time. */
function progress(label: string): (p: ScenarioProgress) => void {
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    log(`${label}: ${count(p.partitionsWritten)}/${count(p.chunks)} partitions written, ${minutes(p.modelledSeconds)} modelled, tick ${p.ticks}`);
  };
}

async function main(): Promise<void> {
  const { start, end } = SEED_RANGE;
  const request = parseBackfillRequest({ tables: 'all', start, end });
  const gamesByDate = sampleGamesByDate(start, end);
  const chunks = gamesByDate.size * request.tables.length;
  const floor = limitsFloor(BIGQUERY_LIMITS, DEFAULT_JOB_LATENCIES, gamesByDate.size);
  const oneAtATime = oneDateAtATimeSeconds(DEFAULT_JOB_LATENCIES, chunks);

  console.log(`Scale benchmark: ${request.tables.length} tables x ${count(gamesByDate.size)} game dates = ${count(chunks)} chunks, ${start}..${end}`);
  console.log('(game dates of the deterministic sample schedule, sample/; node ' + `${process.version}, ${cpus().length} cores)`);
  console.log('\nWhat runs for real: the core (planning, reconcile, processChunk with claims, leases, checkpoints, back-off),');
  console.log('the Firestore ledger and the Pub/Sub queue adapters on their emulators. What is modelled: BigQuery (limits and');
  console.log('job latencies; no SQL runs), and the time each Firestore and Pub/Sub call takes on Google Cloud. Modelled time');
  console.log('stands still while the emulators work, so the numbers do not depend on this machine\'s speed.\n');
  for (const line of describeModel(BIGQUERY_LIMITS, DEFAULT_JOB_LATENCIES)) console.log(line);
  console.log('\nThe floor (no orchestration cost at all, mean latencies):');
  for (const line of floor.lines) console.log(`  ${line}`);
  console.log(`\nPlan on Google Cloud: ${describePlan(CHOSEN_PLAN)}\n`);

  log('starting the Firestore and Pub/Sub emulators');
  const emulators: Emulator[] = [];
  try {
    const [firestore, pubsub] = await Promise.all([startFirestoreEmulator(), startPubSubEmulator()]);
    emulators.push(firestore, pubsub);
    log(`emulators up: Firestore ${firestore.host}, Pub/Sub ${pubsub.host}`);

    // The emulator run mostly waits on the emulators; the sweep mostly computes: they share the time.
    log(`full run through the emulators${values['skip-sweep'] ? '' : `, and the sweep of ${SWEEP.length} plans alongside`}`);
    const [cloud, sweep] = await Promise.all([
      runScenario({ request, gamesByDate, plan: CHOSEN_PLAN, backend: emulatorBackend({ firestore, pubsub }), onProgress: progress('emulators') }),
      values['skip-sweep'] ? Promise.resolve([]) : runSweep(request, gamesByDate),
    ]);
    log(`emulator run ended: ${cloud.runState}, ${minutes(cloud.wallSeconds)} modelled, ${cloud.realSeconds.toFixed(0)} s real`);

    const growth = values['skip-growth'] ? [] : await measureReconcileGrowth(firestore, GROWTH_SIZES, CHOSEN_PLAN, (p) => {
      log(`growth: ${count(p.chunks)} chunks, first tick ${p.tickModelledSeconds.toFixed(2)} s modelled, ${count(p.tickReads)} reads`);
    });

    console.log('\n== The full range on Google Cloud (modelled), through the Firestore and Pub/Sub emulators\n');
    for (const line of headline(cloud, floor, oneAtATime)) console.log(line);
    console.log('');
    for (const line of details(cloud)) console.log(line);

    if (sweep.length) {
      console.log('\n== Plans compared: the same core and model, on the in-memory ledger and a modelled queue (not the emulators)\n');
      console.log(sweepTable(sweep, floor));
      console.log('* what-if, not what the service does today:');
      for (const { named } of sweep) if (named.whatIf) console.log(`  ${named.name}: ${named.whatIf}`);
      const twin = sweep.find((s) => s.named.plan === CHOSEN_PLAN && !s.named.seed);
      if (twin) {
        console.log(`The chosen plan: ${minutes(cloud.wallSeconds)} through the emulators, ${minutes(twin.result.wallSeconds)} in memory ` +
          '(the emulators decide delivery order and redelivery; the model is the same).');
      }
    }

    if (growth.length) {
      console.log('\n== Reconcile as runs grow: the first tick of a run that has not started (Firestore emulator, every size)\n');
      console.log(growthTable(growth));
      console.log(projection(cloud, growth));
    }
  } finally {
    await Promise.all(emulators.map((e) => e.stop()));
  }
  console.log(`\nbench:scale took ${elapsed().trim()} of real time`);
}

async function runSweep(request: ReturnType<typeof parseBackfillRequest>, gamesByDate: ReadonlyMap<string, number>): Promise<Array<{ named: NamedPlan; result: ScenarioResult }>> {
  const rows: Array<{ named: NamedPlan; result: ScenarioResult }> = [];
  for (const named of SWEEP) {
    const result = await runScenario({
      request, gamesByDate, plan: named.plan, backend: inMemoryBackend(), ...(named.seed ? { seed: named.seed } : {}), onProgress: progress(`sweep: ${named.name}`),
    });
    log(`sweep: ${named.name}: ${minutes(result.wallSeconds)} modelled (${result.runState}), ${result.realSeconds.toFixed(1)} s real`);
    rows.push({ named, result });
  }
  return rows;
}

/**
 * A tick lists every unfinished chunk, and a run needs ticks in proportion to its chunks: reads per run
 * grow with the square of its size. Model: ticks = the measured run's ticks scaled by size (the same
 * per-table rate), each reading half of its first tick on average (unfinished chunks fall linearly).
 * Checked against the measured run.
 */
function projection(cloud: ScenarioResult, growth: readonly { chunks: number; tickReads: number; tickModelledSeconds: number }[]): string {
  const lines = ['Per run (model: ticks in proportion to chunks at the measured rate, each tick reading half its first tick on average):'];
  const ticksPerChunk = cloud.ticks / cloud.chunks;
  const measuredFirst = growth.reduce((best, p) => (Math.abs(p.chunks - cloud.chunks) < Math.abs(best.chunks - cloud.chunks) ? p : best));
  const firstTickReads = (cloud.chunks / measuredFirst.chunks) * measuredFirst.tickReads;
  lines.push(`  check at ${count(cloud.chunks)} chunks: model ${count((cloud.ticks * firstTickReads) / 2)} reconcile reads, measured ${count(cloud.reconcileReads)}`);
  for (const p of growth) {
    const ticks = Math.max(1, Math.round(ticksPerChunk * p.chunks));
    lines.push(`  ${count(p.chunks).padStart(7)} chunks: ~${count(ticks)} tick${ticks === 1 ? '' : 's'}, ~${count((ticks * p.tickReads) / 2)} reconcile reads, ` +
      `${(p.tickModelledSeconds).toFixed(1)} s for the first tick (of a ${CHOSEN_PLAN.trigger.kind === 'schedule' ? CHOSEN_PLAN.trigger.everyMs / 1000 : '-'} s period)`);
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
