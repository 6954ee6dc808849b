import type { ChunkRecord, ChunkTransition, RunRecord } from '../ports/ledger.js';
import { IN_FLIGHT_STATES, isDone, isIn, UNFINISHED_STATES } from '../chunks/chunk-state.js';
import { afterLeaseExpired, isDue, isOutOfAttempts } from '../chunks/retry-policy.js';
import { PACED_JOBS_IN_FLIGHT, queueOrderHoldMs } from '../chunks/job-size.js';
import { findBlocker } from '../planning/dependencies.js';
import { tableSpec } from '../tables/registry.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import { appendTo } from '../util/group.js';

export interface ReconcileLimits {
  /** Chunks queued or running, over all runs and tables. */
  readonly maxInFlight: number;
  readonly maxInFlightPerTable: number;
  readonly maxAttempts: number;
  /** Dates per message (one write job) while a table has no job size of its own; per-date checkpoints are kept. */
  readonly datesPerJob: number;
  /** The most dates per message once a table's job size grew (shared/chunks/job-size.ts); datesPerJob keeps it fixed. */
  readonly maxDatesPerJob: number;
  /** A queued chunk nobody picked up for this long is published again (lost or dropped message). */
  readonly queuedStallMs: number;
  /** The hold of a table's later messages of one pass, so its jobs queue in date order (job-size.ts `queueOrderHoldMs`); 0 or absent: none. */
  readonly queueOrderHoldMs?: number;
  /** The mutating DML a table runs at once, shared over when a pass would leave one idle (`messageSizes`); 0 or absent: no sharing. */
  readonly tableDmlSlots?: number;
}

export interface InFlight {
  total: number;
  byTable: Partial<Record<AnalyticsTableName, number>>;
}

export interface PlannedMessage {
  readonly table: AnalyticsTableName;
  readonly dates: readonly IsoDate[];
  readonly chunkIds: readonly string[];
  /** How long its worker waits before sending the job (job-size.ts `queueOrderHoldMs`); absent: none. */
  readonly holdMs?: number;
}

export interface ReconcileDecision {
  /** Compare-and-set transitions to apply first (expired leases, exhausted retries, dead inputs). */
  readonly repairs: readonly ChunkTransition[];
  /** Transitions to queued; a chunk is published only if its transition applied. */
  readonly enqueue: readonly ChunkTransition[];
  readonly messages: readonly PlannedMessage[];
  /** Set when every chunk of the run is terminal: how the run ends. */
  readonly finish: { readonly state: 'succeeded' | 'failed'; readonly outcome: string } | null;
  readonly counts: { readonly waitingOnDependencies: number; readonly waitingOnBackoff: number; readonly heldByCaps: number };
}

/** Dates one message of `table` may carry: its learnt job size within the limits, else datesPerJob. */
export function datesPerMessage(limits: ReconcileLimits, learnt: number | undefined): number {
  return Math.max(1, Math.min(limits.maxDatesPerJob, learnt ?? limits.datesPerJob));
}

/** A phase's result: the transitions it decided and the chunks as they will be once those apply. */
export interface PhaseResult {
  readonly repairs: readonly ChunkTransition[];
  readonly chunks: readonly ChunkRecord[];
}

/**
 * Phase 1, leases and attempts: a running chunk whose lease expired goes back to failed (the worker died
 * or timed out holding it, which costs an attempt); a failed chunk out of attempts is dead.
 */
export function repairLeasesAndAttempts(chunks: readonly ChunkRecord[], now: number, limits: Pick<ReconcileLimits, 'maxAttempts'>): PhaseResult {
  const repairs: ChunkTransition[] = [];
  const after = chunks.map((chunk): ChunkRecord => {
    if (chunk.state === 'running' && chunk.leaseExpiresAt !== null && chunk.leaseExpiresAt <= now) {
      const expired = afterLeaseExpired(chunk, now, limits);
      repairs.push({ id: chunk.id, from: ['running'], to: expired.state, leaseExpiredBy: now, patch: expired.patch });
      return { ...chunk, ...expired.patch, state: expired.state };
    }
    if (isOutOfAttempts(chunk, limits)) {
      repairs.push({ id: chunk.id, from: ['failed'], to: 'dead', patch: { nextAttemptAt: null } });
      return { ...chunk, state: 'dead' };
    }
    return chunk;
  });
  return { repairs, chunks: after };
}

/** Sorted dates per table of the chunks that match `keep`. */
function datesByTable(chunks: readonly ChunkRecord[], keep: (chunk: ChunkRecord) => boolean): Map<AnalyticsTableName, IsoDate[]> {
  const byTable = new Map<AnalyticsTableName, IsoDate[]>();
  for (const chunk of chunks) if (keep(chunk)) appendTo(byTable, chunk.table, chunk.gameDate);
  for (const list of byTable.values()) list.sort();
  return byTable;
}

/**
 * Phase 2, dead inputs: a pending or failed chunk that reads a dead chunk's partition can never run
 * correctly, so it is dead too, naming that input. (Dead only after phase 1 counts: what it just killed.)
 */
export function propagateDeadInputs(chunks: readonly ChunkRecord[]): PhaseResult {
  const deadDates = datesByTable(chunks, (c) => c.state === 'dead');
  const repairs: ChunkTransition[] = [];
  const after = chunks.map((chunk): ChunkRecord => {
    if (chunk.state !== 'pending' && chunk.state !== 'failed') return chunk;
    const deadInput = findBlocker(tableSpec(chunk.table), chunk.gameDate, deadDates);
    if (!deadInput) return chunk;
    const lastError = `input ${deadInput.table} ${deadInput.gameDate} is dead`;
    repairs.push({ id: chunk.id, from: ['pending', 'failed'], to: 'dead', patch: { lastError, nextAttemptAt: null } });
    return { ...chunk, lastError, nextAttemptAt: null, state: 'dead' };
  });
  return { repairs, chunks: after };
}

/** A chunk that may be published now, and the state it leaves. */
export interface Candidate {
  readonly id: string;
  readonly gameDate: IsoDate;
  readonly from: 'pending' | 'failed' | 'queued';
}

export interface Readiness {
  /** Per table, in date order. */
  readonly byTable: ReadonlyMap<AnalyticsTableName, readonly Candidate[]>;
  readonly waitingOnDependencies: number;
  /** Tables with a date that would go but for a date it reads that is not done yet. */
  readonly waitingTables: ReadonlySet<AnalyticsTableName>;
  readonly waitingOnBackoff: number;
}

/**
 * Phase 3, readiness: pending chunks, failed chunks whose back-off is over and queued chunks whose
 * message stalled may go, unless a date they read is not done yet (any not-done chunk of the run is).
 */
export function readyCandidates(chunks: readonly ChunkRecord[], now: number): Readiness {
  const notDone = datesByTable(chunks, () => true);
  const byTable = new Map<AnalyticsTableName, Candidate[]>();
  let waitingOnDependencies = 0;
  let waitingOnBackoff = 0;
  const waitingTables = new Set<AnalyticsTableName>();
  for (const chunk of [...chunks].sort((a, b) => a.gameDate.localeCompare(b.gameDate))) {
    let from: Candidate['from'] | null = null;
    if (chunk.state === 'pending') from = 'pending';
    else if (chunk.state === 'failed') {
      if (isDue(chunk, now)) from = 'failed';
      else waitingOnBackoff += 1;
    } else if (chunk.state === 'queued' && chunk.leaseExpiresAt !== null && chunk.leaseExpiresAt <= now) from = 'queued';
    if (!from) continue;
    if (findBlocker(tableSpec(chunk.table), chunk.gameDate, notDone)) {
      waitingOnDependencies += 1;
      waitingTables.add(chunk.table);
      continue;
    }
    appendTo(byTable, chunk.table, { id: chunk.id, gameDate: chunk.gameDate, from });
  }
  return { byTable, waitingOnDependencies, waitingOnBackoff, waitingTables };
}

export interface Admission {
  readonly enqueue: readonly ChunkTransition[];
  readonly messages: readonly PlannedMessage[];
  readonly heldByCaps: number;
}

/**
 * Phase 4, caps and batching: admit ready chunks, table by table in date order, while the chunks in
 * flight stay within the caps, and pack each table's admitted chunks into messages of its job size.
 */
export function admitWithinCaps(input: {
  readonly ready: ReadonlyMap<AnalyticsTableName, readonly Candidate[]>;
  readonly inFlight: InFlight;
  readonly now: number;
  readonly limits: ReconcileLimits;
  readonly jobSizes?: Partial<Record<AnalyticsTableName, number>>;
  /** Tables paced by their partitioned-table rate (job-size.ts `isPaced`). */
  readonly pacedTables?: readonly AnalyticsTableName[];
  /** Tables with dates waiting on inputs that move (`awaitingInputs`): the end of the inputs' jobs nudges the next pass. */
  readonly awaitingInputs?: ReadonlySet<AnalyticsTableName>;
}): Admission {
  const { limits, now } = input;
  const enqueue: ChunkTransition[] = [];
  const messages: PlannedMessage[] = [];
  let heldByCaps = 0;
  // A stalled queued chunk (its message lost, or its quota back-off over) is counted in flight by the ledger
  // but has no live message: it takes a slot again only when it is admitted, within the caps like any other.
  // Republishing them past the caps would, after the job size shrank, send more jobs at a table than
  // BigQuery queues ("Too many DML statements outstanding against table"), each refused and backed off again.
  const inFlight = { total: input.inFlight.total, byTable: { ...input.inFlight.byTable } };
  for (const [table, list] of input.ready) {
    const stalled = list.filter((c) => c.from === 'queued').length;
    inFlight.total = Math.max(0, inFlight.total - stalled);
    inFlight.byTable[table] = Math.max(0, (inFlight.byTable[table] ?? 0) - stalled);
  }
  // The caps count chunks, set for jobs of datesPerJob dates; what BigQuery bounds per table is statements
  // ("UPDATE, DELETE, MERGE DML concurrency": "The UPDATE, DELETE, and MERGE DML statements are called mutating
  // DML statements", limited in how many run and wait per table, https://cloud.google.com/bigquery/docs/data-manipulation-language).
  // So a table whose job size moved keeps as many jobs in flight: its caps move with its size.
  const scaleOf = (table: AnalyticsTableName) => datesPerMessage(limits, input.jobSizes?.[table]) / limits.datesPerJob;
  const maxInFlight = Math.max(1, Math.round(limits.maxInFlight * Math.max(...ANALYTICS_TABLES.map(scaleOf))));
  for (const table of ANALYTICS_TABLES) {
    const list = input.ready.get(table);
    if (!list) continue;
    const perMessage = datesPerMessage(limits, input.jobSizes?.[table]);
    // A paced table writes two jobs a rate window, one a DML slot: one job more waits for the window, ready when it
    // frees. More would compete for it in no order (whichever polls first), sending later dates before earlier ones.
    const paced = input.pacedTables?.includes(table) ?? false;
    const scaledCap = Math.max(1, Math.round(limits.maxInFlightPerTable * scaleOf(table)));
    const maxInFlightPerTable = paced ? Math.min(perMessage * PACED_JOBS_IN_FLIGHT, scaledCap) : scaledCap;
    const flying = inFlight.byTable[table] ?? 0;
    const admitted: Candidate[] = [];
    for (const candidate of list) {
      if (inFlight.total + admitted.length + 1 > maxInFlight || flying + admitted.length + 1 > maxInFlightPerTable) {
        heldByCaps += 1;
        continue;
      }
      admitted.push(candidate);
    }
    // A table whose size shrank below where it started is rationed by its partitioned-table rate: a message of
    // a few dates would spend one of its few jobs on them. While it has jobs in flight (their end nudges the
    // next pass) the dates past its last full message wait for that pass, to go out in a full one.
    const rationed = perMessage < limits.datesPerJob && flying > 0;
    // Where job sizes are fixed (maxDatesPerJob is datesPerJob: on DuckDB, or as configured) a short message teaches
    // nothing about the size: a reader whose ready dates do not fill one, while its inputs' jobs will make more ready,
    // waits for those jobs to end (their end nudges the pass). Otherwise upcoming_player_game_context's first date,
    // which reads no earlier date, was written alone at the start, a job of its own. (Counted on the ready dates, not
    // on those the caps admit: a reader with a message's worth ready is never starved by the caps.)
    const fixedSize = limits.maxDatesPerJob <= limits.datesPerJob;
    const waits = fixedSize && list.length < perMessage && (input.awaitingInputs?.has(table) ?? false);
    const sent = waits ? 0 : rationed ? admitted.length - (admitted.length % perMessage) : admitted.length;
    heldByCaps += admitted.length - sent;
    inFlight.total += sent;
    inFlight.byTable[table] = flying + sent;
    const sizes = messageSizes(sent, perMessage, rationed || paced ? 0 : freeDmlSlots(flying, perMessage, limits.tableDmlSlots ?? 0));
    for (let at = 0, place = 0; place < sizes.length; at += sizes[place] as number, place += 1) {
      const batch = admitted.slice(at, at + (sizes[place] as number));
      const holdMs = queueOrderHoldMs(place, limits.queueOrderHoldMs ?? 0);
      messages.push({ table, dates: batch.map((c) => c.gameDate), chunkIds: batch.map((c) => c.id), ...(holdMs > 0 ? { holdMs } : {}) });
      for (const candidate of batch) {
        enqueue.push({
          id: candidate.id,
          from: [candidate.from],
          to: 'queued',
          ...(candidate.from === 'queued' ? { leaseExpiredBy: now } : {}),
          patch: { queuedAt: now, leaseExpiresAt: now + limits.queuedStallMs, leaseOwner: null },
        });
      }
    }
  }
  return { enqueue, messages, heldByCaps };
}

/** A table's DML slots its jobs in flight leave free (its chunks in flight over its job size, rounded up). */
function freeDmlSlots(flying: number, perMessage: number, slots: number): number {
  return Math.max(0, slots - Math.ceil(flying / perMessage));
}

/**
 * The sizes of the messages `sent` dates go out in: as many of `perMessage` as they fill, the last one shorter; but
 * when that would be fewer jobs than the table has DML slots free, the dates are shared evenly over the free slots.
 * BigQuery runs two of a table's mutating DML at once ("BigQuery runs up to 2 of them concurrently",
 * https://cloud.google.com/bigquery/docs/data-manipulation-language): one job of 400 dates beside an idle slot takes
 * twice as long as two of 200. It happens where a table's ready dates come in bursts: upcoming_player_game_context
 * at the end of a run, when its inputs' last jobs end together.
 */
export function messageSizes(sent: number, perMessage: number, freeSlots: number): number[] {
  const full = Math.ceil(sent / perMessage);
  const jobs = full < freeSlots ? Math.min(freeSlots, sent) : full;
  if (jobs === full) return Array.from({ length: full }, (_, i) => Math.min(perMessage, sent - i * perMessage));
  return Array.from({ length: jobs }, (_, i) => Math.floor(sent / jobs) + (i < sent % jobs ? 1 : 0));
}

/**
 * The job sizes a pass packs with: each table's learnt size, except that a table another table of the run reads
 * (player_game_summary and team_defense_game_summary, read by upcoming_player_game_context) keeps jobs of at most
 * datesPerJob. Its reader is pipelined behind it: a job of n dates gives the reader nothing until all n are written,
 * so an input grown to 400 dates a job held upcoming_player_game_context's later dates until each 400 were done and
 * left it a long tail of large jobs. The floor's best split at 0.1 and 0.3 s a date writes every table in jobs of
 * about 200 dates (docs/scaling.md). A size learnt here is still kept for runs without the reader.
 */
export function pipelinedJobSizes(
  jobSizes: Partial<Record<AnalyticsTableName, number>> | undefined,
  tables: readonly AnalyticsTableName[],
  limits: Pick<ReconcileLimits, 'datesPerJob'>,
): Partial<Record<AnalyticsTableName, number>> {
  const read = new Set(tables.flatMap((table) => tableSpec(table).upstream.map((input) => input.table)).filter((table) => tables.includes(table)));
  const sizes: Partial<Record<AnalyticsTableName, number>> = {};
  for (const table of ANALYTICS_TABLES) {
    const learnt = jobSizes?.[table];
    if (learnt !== undefined) sizes[table] = read.has(table) ? Math.min(learnt, limits.datesPerJob) : learnt;
  }
  return sizes;
}

/**
 * Of the tables with dates waiting on inputs, those with an input whose chunks are in flight or ready this pass (sent
 * now, or held by the caps, which only happens while other chunks are in flight): the end of some job nudges a pass.
 */
export function awaitingInputs(chunks: readonly ChunkRecord[], ready: Readiness): Set<AnalyticsTableName> {
  const moving = new Set<AnalyticsTableName>(ready.byTable.keys());
  for (const chunk of chunks) if (isIn(IN_FLIGHT_STATES, chunk.state)) moving.add(chunk.table);
  return new Set([...ready.waitingTables].filter((table) => tableSpec(table).upstream.some((input) => moving.has(input.table))));
}

/** Phase 5, the end: once no chunk of an active run is unfinished, it failed if any is dead, else succeeded. */
export function runFinish(run: RunRecord, chunks: readonly ChunkRecord[]): ReconcileDecision['finish'] {
  if (run.state !== 'active' || chunks.some((c) => isIn(UNFINISHED_STATES, c.state))) return null;
  const dead = chunks.filter((c) => c.state === 'dead').length;
  return dead > 0
    ? { state: 'failed', outcome: `${dead} of ${run.chunkCount} chunks dead` }
    : { state: 'succeeded', outcome: `all ${run.chunkCount} chunks done` };
}

/**
 * Pure: what one reconcile tick does for one run, from its chunks that are not succeeded (the
 * ledger's active view), the chunks in flight everywhere, and the time: the five phases above, each on
 * the states the one before will leave. Two reconciles may compute the same decision; the
 * compare-and-set transitions make sure only one of them acts on a chunk.
 */
export function planReconcile(input: {
  readonly run: RunRecord;
  /** Every chunk of the run that is not done (pending, queued, running, failed, dead). */
  readonly chunks: readonly ChunkRecord[];
  readonly inFlight: InFlight;
  readonly now: number;
  readonly limits: ReconcileLimits;
  /** Each table's learnt job size (dates), where one is known. */
  readonly jobSizes?: Partial<Record<AnalyticsTableName, number>>;
  /** Tables paced by their partitioned-table rate (job-size.ts `isPaced`). */
  readonly pacedTables?: readonly AnalyticsTableName[];
}): ReconcileDecision {
  const { run, now, limits } = input;
  const leases = repairLeasesAndAttempts(input.chunks.filter((c) => !isDone(c.state)), now, limits);
  const deadInputs = propagateDeadInputs(leases.chunks);
  const chunks = deadInputs.chunks;
  const ready: Readiness = run.state === 'active'
    ? readyCandidates(chunks, now)
    : { byTable: new Map(), waitingOnDependencies: 0, waitingOnBackoff: 0, waitingTables: new Set() };
  const jobSizes = pipelinedJobSizes(input.jobSizes, run.request.tables, limits);
  const admitted = admitWithinCaps({
    ready: ready.byTable, inFlight: input.inFlight, now, limits, jobSizes, pacedTables: input.pacedTables,
    awaitingInputs: awaitingInputs(chunks, ready),
  });
  return {
    repairs: [...leases.repairs, ...deadInputs.repairs],
    enqueue: admitted.enqueue,
    messages: admitted.messages,
    finish: runFinish(run, chunks),
    counts: { waitingOnDependencies: ready.waitingOnDependencies, waitingOnBackoff: ready.waitingOnBackoff, heldByCaps: admitted.heldByCaps },
  };
}
