import { tableModificationCost, type BigQueryLimits, type JobLatencies } from '../simulator/bigquery-limits.js';
import { meanMs } from '../simulator/latency.js';

/** Mean modelled seconds of a MERGE over `dates` dates. */
export function mergeSeconds(latency: JobLatencies, dates: number): number {
  return (meanMs(latency.merge) + latency.mergePerDateMs * dates) / 1000;
}

/** `n` dates cut into `jobs` consecutive jobs whose sizes differ by one at most, in date order. */
export function evenSplit(n: number, jobs: number): number[] {
  const base = Math.floor(n / jobs);
  const extra = n % jobs;
  return Array.from({ length: jobs }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * One table's jobs on BigQuery at mean latencies, started in order as soon as each is ready, a DML slot
 * is free and the 10 s windows have room (DML statements, and table modifications as the reading counts
 * them). Returns each job's end in seconds, or null when a job can never start (a job over the
 * per-job partition limit, or over the whole window under the per-partition reading).
 */
export function scheduleTable(limits: BigQueryLimits, latency: JobLatencies, sizes: readonly number[], readyAt: (job: number) => number): number[] | null {
  const window = limits.windowMs / 1000;
  const lanes = Array.from({ length: limits.concurrentMutatingDml }, () => 0);
  const starts: Array<{ at: number; modifications: number }> = [];
  // Starts never go back in time, so the window is a moving slice of `starts`: [head, end).
  let head = 0;
  let used = 0;
  const ends: number[] = [];
  let previousStart = 0;
  for (const [job, size] of sizes.entries()) {
    const modifications = tableModificationCost(limits, size);
    if (size > limits.partitionsPerJob || modifications > limits.tableModificationsPerWindow) return null;
    const lane = lanes.indexOf(Math.min(...lanes));
    // BigQuery's queue is first in, first out: a job does not start before the one submitted ahead of it.
    let at = Math.max(readyAt(job), lanes[lane] as number, previousStart);
    for (;;) {
      // (An epsilon: `at` below is an earlier start plus the window, and floating point may not give it back exactly.)
      while (head < starts.length && (starts[head] as { at: number }).at <= at - window + 1e-9) {
        used -= (starts[head] as { modifications: number }).modifications;
        head += 1;
      }
      if (starts.length - head + 1 <= limits.dmlPerWindow && used + modifications <= limits.tableModificationsPerWindow) break;
      // Wait for the oldest start in the window to leave it.
      at = (starts[head] as { at: number }).at + window;
    }
    used += modifications;
    starts.push({ at, modifications });
    previousStart = at;
    const end = at + mergeSeconds(latency, size);
    lanes[lane] = end;
    ends.push(end);
  }
  return ends;
}

export interface FloorPlan {
  /** Jobs of each table without analytics inputs, and of upcoming_player_game_context. */
  readonly inputJobs: number;
  readonly dependentJobs: number;
  readonly inputsDoneSeconds: number;
  readonly totalSeconds: number;
}

export interface Floor extends FloorPlan {
  readonly limits: BigQueryLimits;
  readonly latency: JobLatencies;
  readonly datesPerTable: number;
  readonly querySeconds: number;
  readonly lines: readonly string[];
}

/**
 * The shortest wall time the limits allow for `datesPerTable` dates in each of the five tables, at mean
 * latencies and with no cost at all for the service's own work (Firestore, Pub/Sub, reconcile):
 * - tables have their own limits, so the four tables without analytics inputs run side by side, each as
 *   `scheduleTable` allows;
 * - upcoming_player_game_context reads every earlier date of player_game_summary and
 *   team_defense_game_summary: a job of it may start once every input date before its last date is
 *   written and read back (a query), so it is pipelined behind its inputs;
 * - the run starts with the expectations query and ends with the read-back of its last job.
 * The best split is searched over: every number of equal jobs (in date order) for the inputs and for
 * the dependent table, up to `maxJobs` each. That is the floor of plans of this shape; a plan with
 * unequal jobs could be a little shorter, so the ratio to it is a slight overstatement of the gap.
 */
export function limitsFloor(limits: BigQueryLimits, latency: JobLatencies, datesPerTable: number, maxJobs = 200): Floor {
  const q = meanMs(latency.query) / 1000;
  const n = datesPerTable;
  const top = Math.min(n, maxJobs);
  let best: FloorPlan | null = null;
  for (let inputJobs = 1; inputJobs <= top; inputJobs += 1) {
    const inputSizes = evenSplit(n, inputJobs);
    const inputEnds = scheduleTable(limits, latency, inputSizes, () => q);
    if (!inputEnds) continue;
    const inputsDoneSeconds = Math.max(...inputEnds);
    if (best && inputsDoneSeconds + q >= best.totalSeconds) continue;
    // doneBefore[i]: when every input date before index i is written and read back.
    const doneBefore = new Array<number>(n + 1).fill(q);
    let date = 0;
    let done = q;
    for (const [job, size] of inputSizes.entries()) {
      // Dates of this job: index date..date+size-1; a later index needs it.
      for (let i = date + 1; i <= Math.min(n, date + size); i += 1) doneBefore[i] = Math.max(done, (inputEnds[job] as number) + q);
      done = Math.max(done, (inputEnds[job] as number) + q);
      date += size;
    }
    for (let dependentJobs = 1; dependentJobs <= top; dependentJobs += 1) {
      const sizes = evenSplit(n, dependentJobs);
      const starts = prefixStarts(sizes);
      const ends = scheduleTable(limits, latency, sizes, (job) => doneBefore[(starts[job] as number) + (sizes[job] as number) - 1] as number);
      if (!ends) continue;
      const totalSeconds = Math.max(inputsDoneSeconds, ...ends) + q;
      if (!best || totalSeconds < best.totalSeconds) best = { inputJobs, dependentJobs, inputsDoneSeconds, totalSeconds };
    }
  }
  if (!best) throw new Error(`no plan of at most ${maxJobs} jobs a table fits the limits`);
  return { ...best, limits, latency, datesPerTable: n, querySeconds: q, lines: floorLines(best, limits, latency, n, q) };
}

function prefixStarts(sizes: readonly number[]): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const size of sizes) {
    starts.push(at);
    at += size;
  }
  return starts;
}

function floorLines(best: FloorPlan, limits: BigQueryLimits, latency: JobLatencies, n: number, q: number): string[] {
  const f = (s: number) => `${s.toFixed(1)} s`;
  const size = (jobs: number) => (n % jobs === 0 ? `${n / jobs}` : `${Math.floor(n / jobs)}-${Math.ceil(n / jobs)}`);
  return [
    `reading: ${limits.countPartitionModifications === 'per-job' ? 'a MERGE counts once' : 'a MERGE counts once per date'} against ` +
      `${limits.tableModificationsPerWindow} modifications per ${limits.windowMs / 1000} s; ${limits.dmlPerWindow} DML per ${limits.windowMs / 1000} s; ` +
      `${limits.concurrentMutatingDml} running; at most ${limits.partitionsPerJob} partitions a job`,
    `MERGE of d dates: ${f(meanMs(latency.merge) / 1000)} + ${(latency.mergePerDateMs / 1000).toFixed(2)} s x d (mean); a query ${f(q)}`,
    `best split: each table without analytics inputs in ${best.inputJobs} job${best.inputJobs === 1 ? '' : 's'} of ${size(best.inputJobs)} dates ` +
      `(done at ${f(best.inputsDoneSeconds)}), upcoming_player_game_context in ${best.dependentJobs} of ${size(best.dependentJobs)}, pipelined behind its inputs`,
    `floor = ${f(best.totalSeconds)} (${(best.totalSeconds / 60).toFixed(2)} min), expectations and the last read-back included`,
  ];
}

/** The replaced backfill: one date of one table after another, each an expectations query, a write and a read-back. */
export function oneDateAtATimeSeconds(latency: JobLatencies, chunks: number): number {
  return chunks * (2 * (meanMs(latency.query) / 1000) + mergeSeconds(latency, 1));
}
