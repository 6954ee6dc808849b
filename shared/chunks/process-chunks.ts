import { setTimeout as sleepReal } from 'node:timers/promises';
import type { Clock } from '../ports/clock.js';
import type { ChunkRecord, ChunkTransition, Ledger } from '../ports/ledger.js';
import type { ReplacePartitionsRequest, ReplacePartitionsResult, Warehouse } from '../ports/warehouse.js';
import type { Logger } from '../log/logger.js';
import type { ChunkMessage } from './chunk-message.js';
import { CLAIMABLE_STATES, isDone, NOT_DONE_STATES } from './chunk-state.js';
import { failJob, isReadBackMismatch, judge, settle, type ChunkResult, type OutcomeContext } from './chunk-outcome.js';
import { afterIsolationStep, isOutOfAttempts, isShortTermRateLimit, nextIsolationStep, notDueUntil, rateWaitMs, startIsolation, type RetryPolicy } from './retry-policy.js';
import { datesWithinRowCap, grownJobSize, jobSizeKey, jobSizesAdapt, partitionPacedJobSize, readJobSize, refusesJobSize, shrunkJobSize, waitsForWindow, type JobSize, type JobSizeLimits } from './job-size.js';
import { classifyError } from '../errors/classify.js';
import { errorMessage, type ErrorKind } from '../errors/errors.js';
import { chunkId } from '../planning/ids.js';
import { warehouseExpectations, type ExpectationSource } from '../planning/expectations.js';
import type { ExpectedDate } from '../verify/evaluate-dates.js';
import { findBlocker } from '../planning/dependencies.js';
import { releaseQueued } from './release-queued.js';
import { partitionWriteRequest } from './partition-write.js';
import { currentLineage } from '../lineage/input-fingerprints.js';
import { lineageDrift, type PartitionLineage } from '../lineage/lineage-record.js';
import { recordedPartitions } from '../lineage/recorded-lineage.js';
import { upstreamWindow } from '../lineage/assess-partitions.js';
import type { AnalyticsTableSpec } from '../tables/types.js';
import type { RunMode } from '../tables/names.js';
import { tableSpec } from '../tables/registry.js';
import type { AnalyticsTableName } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';

export interface ChunkProcessorOptions {
  /** Identifies this worker's claims (function instance + invocation, or local process). */
  readonly workerId: string;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Messages older than this are dropped: reconcile republishes whatever still matters. */
  readonly maxEventAgeSeconds?: number;
  /** Quota back-offs of a chunk past this much waiting count as a failure. */
  readonly quotaGiveUpMs: number;
  /** Job sizing: the cap on dates and rows of one job, and where a table starts. */
  readonly jobSize: JobSizeLimits;
  /**
   * Called (and awaited) when there is work for reconcile to publish: after a job settled chunks as done
   * (dependent work may be ready), or after a message's dates past the job's cap went back to pending. The
   * worker nudges reconcile (shared/reconcile/nudge.ts). Errors are the callee's to handle.
   */
  readonly onDone?: () => Promise<void>;
  /** How the worker waits for a rate window before sending a refused job again (retry-policy `rateWaitMs`); a timer by default. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where the expectations of a message's dates come from: the warehouse, by default (planning/expectations.ts). */
  readonly expectations?: ExpectationSource;
}

export type { ChunkResult, ChunkResultState } from './chunk-outcome.js';

export interface ProcessOutcome {
  /** false: a transient or quota error; the transport should redeliver (Pub/Sub: throw). */
  readonly ack: boolean;
  readonly results: readonly ChunkResult[];
  /** Chunks of the message not run, with why (already done, held by another worker, dependency). */
  readonly skipped: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
  readonly error?: string;
  /** Warehouse write jobs this message ran (more than one when a failing job was split). */
  readonly jobs: number;
}

export interface ChunkProcessor {
  process(message: ChunkMessage): Promise<ProcessOutcome>;
}

interface Deps {
  readonly warehouse: Warehouse;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly logger: Logger;
}

type Skipped = Array<{ id: string; reason: string }>;

/** Jobs of one message: in the same invocation a failed job is split, within this share of the lease. */
const ISOLATION_SHARE_OF_LEASE = 0.5;

/**
 * Claim, run, read back, checkpoint. Idempotent: a duplicate or late delivery of a finished chunk
 * does nothing; a write whose checkpoint was lost is simply done again (the partition is replaced whole).
 * A chunk that is not due (failed, or backed off on quota, before its nextAttemptAt) is not run, whoever
 * delivered its message: the retry policy decides, and reconcile publishes it again when it is due.
 */
export function createChunkProcessor(deps: Deps, options: ChunkProcessorOptions): ChunkProcessor {
  const { warehouse, ledger, clock } = deps;
  const policy: RetryPolicy = {
    maxAttempts: options.maxAttempts, retryBaseMs: options.retryBaseMs, retryMaxMs: options.retryMaxMs,
    quotaGiveUpMs: options.quotaGiveUpMs,
  };
  const sizeLimits = options.jobSize;
  const sleep = options.sleep ?? ((ms: number) => sleepReal(ms));
  const expectationsOf = options.expectations ?? warehouseExpectations(warehouse);
  const context = (): OutcomeContext => ({ workerId: options.workerId, now: clock.now(), policy });

  async function process(message: ChunkMessage): Promise<ProcessOutcome> {
    const log = deps.logger.child({ runId: message.runId, table: message.table, mode: message.mode });
    const now = clock.now();
    if (options.maxEventAgeSeconds !== undefined && now - message.publishedAt > options.maxEventAgeSeconds * 1000) {
      log.warn('dropping a chunk message older than the maximum event age; reconcile republishes what still matters', {
        ageSeconds: Math.round((now - message.publishedAt) / 1000), dates: message.dates,
      });
      return { ack: true, results: [], jobs: 0, skipped: message.dates.map((d) => ({ id: chunkId(message.table, d, message.mode), reason: 'event too old' })) };
    }

    const ids = [...new Set(message.dates)].sort().map((d) => chunkId(message.table, d, message.mode));
    // The run decides the dependency order below: work for a run the ledger does not know, or for a
    // chunk outside the run, would run against nobody's order.
    const run = await ledger.getRun(message.runId);
    if (!run) {
      const skipped = ids.map((id) => ({ id, reason: `no run ${message.runId}` }));
      log.warn('chunk message of a run the ledger does not know; acknowledged without work', { dates: message.dates, skipped });
      return { ack: true, results: [], jobs: 0, skipped };
    }
    const skipped: Skipped = [];
    const existing = new Map((await ledger.getChunks(ids)).map((c) => [c.id, c]));
    const claimable: string[] = [];
    for (const id of ids) {
      const chunk = existing.get(id);
      const notDue = chunk ? notDueUntil(chunk, now) : null;
      if (!chunk) skipped.push({ id, reason: 'unknown chunk (not planned)' });
      else if (!chunk.runIds.includes(run.id)) skipped.push({ id, reason: `not a chunk of run ${run.id}` });
      else if (isDone(chunk.state)) skipped.push({ id, reason: `already ${chunk.state}` });
      else if (chunk.state === 'dead') skipped.push({ id, reason: 'dead' });
      else if (isOutOfAttempts(chunk, policy)) skipped.push({ id, reason: 'out of attempts' });
      else if (notDue !== null) skipped.push({ id, reason: `not due before ${new Date(notDue).toISOString()}` });
      else if (chunk.state === 'running' && (chunk.leaseExpiresAt ?? 0) > now) skipped.push({ id, reason: 'held by another worker' });
      else claimable.push(id);
    }

    if (run.state === 'cancelled') {
      // Queued by a reconcile that raced the cancel: put back, so it holds no place in flight.
      await releaseQueued(ledger, claimable);
      for (const id of claimable) skipped.push({ id, reason: 'run cancelled' });
      log.info('run is cancelled; chunk message acknowledged without work', { dates: message.dates });
      return { ack: true, results: [], jobs: 0, skipped };
    }

    // Dependency order: never run before the upstream partitions we read are done, whichever run builds them.
    const spec = tableSpec(message.table);
    const runnable = await withoutBlocked(claimable, existing, message, skipped);
    if (runnable.length === 0) {
      if (skipped.length) log.info('nothing to do for this message', { skipped });
      return { ack: true, results: [], jobs: 0, skipped };
    }

    const leaseExpiresAt = now + options.leaseMs;
    const claimPatch = { leaseOwner: options.workerId, leaseExpiresAt, startedAt: now };
    const claimed = await ledger.transition(runnable.flatMap((id): ChunkTransition[] => [
      { id, from: CLAIMABLE_STATES, to: 'running', patch: claimPatch },
      { id, from: ['running'], to: 'running', patch: claimPatch, leaseExpiredBy: now },
    ]));
    const claimedById = new Map(claimed.map((c) => [c.id, c]));
    for (const id of runnable) if (!claimedById.has(id)) skipped.push({ id, reason: 'claimed by another worker first' });
    if (claimedById.size === 0) return { ack: true, results: [], jobs: 0, skipped };

    let chunks = [...claimedById.values()].sort((a, b) => a.gameDate.localeCompare(b.gameDate));
    const force = run.request.reprocess === 'all';
    // The inputs' lineage and the partitions' recorded one are read beside the expectations, not after them: three
    // queries in one round trip where they took three. The first job uses them: its dates are these, or the first of
    // them when the row cap or the table's size cut the message (a date's lineage does not depend on which others were read).
    const claimedDates = chunks.map((c) => c.gameDate);
    const job = new JobRunner(spec, message, force, log, { dates: claimedDates, read: readPartitionLineage(spec, message.mode, claimedDates, force) });
    let expectations: ReadonlyMap<IsoDate, ExpectedDate>;
    try {
      expectations = await expectationsOf(spec, message.mode, chunks[0]?.gameDate as IsoDate, chunks[chunks.length - 1]?.gameDate as IsoDate);
    } catch (error) {
      return finish(log, await recordFailure(chunks, error, log), skipped, job.count, errorMessage(error));
    }
    // The row cap: a job stays well inside the function's timeout. The table's learnt size: a message packed
    // before the size shrank (or paced), or redelivered after a quota refusal (Pub/Sub resends what was not
    // acknowledged, the same message: https://cloud.google.com/pubsub/docs/subscription-retry-policy), would send
    // BigQuery a size it refuses. Either way the dates past the cap go back to pending, and reconcile (nudged) packs them.
    const rowFit = datesWithinRowCap(chunks.map((c) => expectations.get(c.gameDate)?.expectedRows ?? 0), sizeLimits.maxRows);
    const sizeFit = (await storedJobSize(message))?.dates ?? Number.POSITIVE_INFINITY;
    const fit = Math.min(rowFit, sizeFit);
    if (fit < chunks.length) {
      const over = chunks.slice(fit);
      chunks = chunks.slice(0, fit);
      await ledger.transition(over.map((c) => ({ id: c.id, from: ['running'], to: 'pending', leaseOwner: options.workerId, patch: { leaseOwner: null, leaseExpiresAt: null, queuedAt: null, startedAt: null } })));
      const reason = fit === rowFit ? `over the row cap of one job (${sizeLimits.maxRows} rows)` : `over the table's job size (${fit} dates)`;
      for (const c of over) skipped.push({ id: c.id, reason });
      if (rowFit < sizeFit) await updateJobSize(message, (size) => ({ ...size, dates: Math.max(1, Math.min(size.dates, rowFit)) }));
      if (options.onDone) await options.onDone();
    }
    const outcome = await runIsolating(job, chunks, expectations, log);
    return finish(log, outcome, skipped, job.count, outcome.error);
  }

  interface Outcome {
    readonly results: ChunkResult[];
    /** A chunk backed off on quota or failed in a way worth a redelivery. */
    readonly redeliver: boolean;
    readonly error?: string;
  }

  function finish(log: Logger, outcome: Outcome, skipped: Skipped, jobs: number, error: string | undefined): ProcessOutcome {
    const { results } = outcome;
    for (const r of results) {
      const fields = { gameDate: r.gameDate, rowsWritten: r.rowsWritten, rowsFound: r.rowsFound, expectedRows: r.expectedRows };
      if (r.state === 'failed' || r.state === 'dead') log.error(`chunk ${r.state}: ${r.error ?? ''}`, fields);
      else if (r.state === 'no_source') log.info('raw data is short for this date: rows written, date not complete', fields);
    }
    log.info('chunk message processed', { dates: results.map((r) => r.gameDate), jobs, states: countBy(results.map((r) => r.state)) });
    return { ack: !outcome.redeliver, results, skipped, jobs, ...(error !== undefined ? { error } : {}) };
  }

  /**
   * Run the claimed chunks as one job; if it fails with anything but quota, isolate the failure by splitting
   * (the retry policy's bisection), so one bad date fails alone and its neighbours are written. Quota backs
   * off every chunk not yet written, without an attempt and without splitting.
   */
  async function runIsolating(job: JobRunner, chunks: readonly ChunkRecord[], expectations: ReadonlyMap<IsoDate, ExpectedDate>, log: Logger): Promise<Outcome> {
    const results: ChunkResult[] = [];
    const first = await job.attempt(chunks, expectations);
    if (first.ok) return { results: first.results, redeliver: first.results.some(isReadBackMismatch) };
    if (first.kind === 'quota' || chunks.length === 1) return recordFailure(chunks, first.error, log, first.tooLarge);
    log.warn('a job of several dates failed: splitting it to find the date that fails', { dates: chunks.length, kind: first.kind, error: errorMessage(first.error) });
    const budgetEnds = clock.now() + options.leaseMs * ISOLATION_SHARE_OF_LEASE;
    let search = startIsolation(chunks);
    let lastError = first.error;
    let lastKind = first.kind;
    let redeliver = false;
    for (let step = nextIsolationStep(search, lastKind); step; step = nextIsolationStep(search, lastKind)) {
      if (step.kind === 'blame') {
        const blamed = await recordFailure([step.item], lastError, log);
        results.push(...blamed.results);
        redeliver ||= blamed.redeliver;
        search = afterIsolationStep(search, step, false);
        continue;
      }
      if (clock.now() > budgetEnds) {
        // Out of time for this invocation: what is left fails as one (an attempt each), reconcile retries it.
        const left = [...search.suspects, ...search.cleared];
        const out = await recordFailure(left, lastError, log);
        return { results: [...results, ...out.results], redeliver: true, error: out.error };
      }
      const ran = await job.attempt(step.job, expectations);
      if (ran.ok) {
        results.push(...ran.results);
        redeliver ||= ran.results.some(isReadBackMismatch);
      } else if (ran.kind === 'quota') {
        const out = await recordFailure([...search.suspects, ...search.cleared], ran.error, log, ran.tooLarge);
        return { results: [...results, ...out.results], redeliver: true, error: out.error };
      } else {
        lastError = ran.error;
        lastKind = ran.kind;
      }
      search = afterIsolationStep(search, step, ran.ok);
    }
    return { results, redeliver, error: errorMessage(lastError) };
  }

  /** One warehouse job over some claimed chunks, checkpointed; an error is returned, classified, not thrown. */
  class JobRunner {
    count = 0;
    private attempts = 0;
    constructor(
      private readonly spec: AnalyticsTableSpec,
      private readonly message: ChunkMessage,
      private readonly force: boolean,
      private readonly log: Logger,
      private readonly prefetched: { readonly dates: readonly IsoDate[]; readonly read: Promise<PartitionLineageRead> },
    ) {
      // Awaited by the first attempt, or never (expectations failed): not an unhandled rejection.
      prefetched.read.catch(() => undefined);
    }

    async attempt(job: readonly ChunkRecord[], expectations: ReadonlyMap<IsoDate, ExpectedDate>): Promise<{ ok: true; results: ChunkResult[] } | { ok: false; kind: ErrorKind; error: unknown; tooLarge: boolean }> {
      const { spec, message } = this;
      // The write wants its dates in order (a split job's dates come back out of it).
      const chunks = [...job].sort((a, b) => a.gameDate.localeCompare(b.gameDate));
      const dates = chunks.map((c) => c.gameDate);
      const started = clock.now();
      try {
        // A split of a failing job reads again: the first read may be what failed.
        const read = this.attempts++ === 0 && among(dates, this.prefetched.dates) ? this.prefetched.read : readPartitionLineage(spec, message.mode, dates, this.force);
        const { writeDates, unchanged } = whatToWrite(dates, expectations, await read);
        if (writeDates.length) this.count += 1;
        // The message's first job only waits its hold (a split's later jobs are already behind it); the hold is
        // the queue's order, not the job's time, so the chunks' durations leave it out.
        let heldMs = 0;
        if (writeDates.length && this.count === 1 && message.holdMs) {
          const holdStarted = clock.now();
          await sleep(message.holdMs);
          heldMs = clock.now() - holdStarted;
        }
        const written = writeDates.length
          ? await writeWithinRate(message, partitionWriteRequest(warehouse.context(message.mode), spec, { runId: message.runId, mode: message.mode, startedAt: started }, writeDates, unchanged.lineage), this.log)
          : null;
        const produced = written?.producedByDate ?? {};
        // A partition already built from exactly these inputs holds what the transform would write: it is kept.
        const producedByDate: Record<IsoDate, number> = { ...Object.fromEntries(unchanged.rows), ...produced };
        if (unchanged.rows.size) this.log.info('partitions kept: built from the same inputs already', { dates: [...unchanged.rows.keys()] });
        const found = await warehouse.countRows(spec, message.mode, dates);
        const durationMs = clock.now() - started - heldMs;
        const ctx = context();
        const settled = chunks.map((chunk) =>
          settle(chunk, judge(chunk, producedByDate[chunk.gameDate] ?? 0, found[chunk.gameDate] ?? 0, expectations.get(chunk.gameDate)), durationMs, ctx));
        await ledger.transition(settled.map((s) => s.transition));
        if (written) await updateJobSize(message, (size) => grownJobSize(size, writeDates.length, sizeLimits));
        if (options.onDone && settled.some((s) => isDone(s.result.state))) await options.onDone();
        return { ok: true, results: settled.map((s) => s.result) };
      } catch (error) {
        const kind = classifyError(error);
        // Refused for its size (the table's modification rate): the table's size shrinks, and a job of several
        // dates sends its chunks back to pending rather than a quota back-off (chunk-outcome failJob). Where sizes
        // are fixed (not learnt) nothing would shrink: sent back at once they would come back the same size and be
        // refused again for ever, so there it is an ordinary quota refusal, backed off and given up on in time.
        const sizeRefused = kind === 'quota' && refusesJobSize(error);
        if (sizeRefused) await updateJobSize(message, (size) => shrunkJobSize(size, dates.length, sizeLimits, clock.now()));
        return { ok: false, kind, error, tooLarge: sizeRefused && dates.length > 1 && jobSizesAdapt(sizeLimits) };
      }
    }
  }

  /**
   * One write; while a short-term rate limit refuses it, the worker waits for the window and sends it again
   * (retry-policy `rateWaitMs`), holding its claim. The partitioned-table rate's first refusal paces the table
   * (job-size.ts `partitionPacedJobSize`); a job that fits one window then waits for it, a larger one is thrown, to
   * go back to pending and out again at the paced size.
   */
  async function writeWithinRate(message: ChunkMessage, request: ReplacePartitionsRequest, log: Logger): Promise<ReplacePartitionsResult> {
    let waited = 0;
    // Whether a partitioned-table refusal of this job is waited out: decided at its first such refusal, which paces the table.
    let waitsOutPartitionRate: boolean | null = null;
    for (let waits = 0; ; waits += 1) {
      try {
        return await warehouse.replacePartitions(request);
      } catch (error) {
        const wait = isShortTermRateLimit(error) ? rateWaitMs(waits, waited) : null;
        if (wait === null) throw error;
        if (refusesJobSize(error)) {
          // The table's rate counts partitions: its next jobs are paced to share a window; this one waits for the
          // window if it fits one, else it is refused for its size (its dates go out again at the paced size).
          // Where sizes are fixed nothing is paced: the refusal is thrown, an ordinary quota refusal.
          if (waitsOutPartitionRate === null) {
            const paced = jobSizesAdapt(sizeLimits) ? await updateJobSize(message, (size) => partitionPacedJobSize(size, sizeLimits, clock.now())) : null;
            waitsOutPartitionRate = paced !== null && waitsForWindow(paced, request.dates.length);
          }
          if (!waitsOutPartitionRate) throw error;
        }
        if (waits === 0) log.info('rate limit: waiting for the window, then sending the job again', { dates: request.dates.length, error: errorMessage(error) });
        await sleep(wait);
        waited += wait;
      }
    }
  }

  /** Record a job's error against its chunks (the retry policy decides each one's next state). */
  async function recordFailure(chunks: readonly ChunkRecord[], error: unknown, log: Logger, jobTooLarge = false): Promise<Outcome> {
    const kind = classifyError(error);
    const message = errorMessage(error);
    const settled = failJob(chunks, kind, message, context(), jobTooLarge);
    await ledger.transition(settled.map((s) => s.transition));
    const fields = { kind, error: message, dates: chunks.map((c) => c.gameDate) };
    if (jobTooLarge) {
      // Back to pending: reconcile, nudged, packs them again at the table's new size. Nothing to redeliver.
      log.warn('job too large for the table\'s modification rate: its dates go out again in smaller jobs', fields);
      if (options.onDone) await options.onDone();
      return { results: settled.map((s) => s.result), redeliver: false, error: message };
    }
    if (kind === 'quota') log.warn('quota: backing off', fields);
    else log.error(`chunk job failed (${kind})`, fields);
    // Permanent: recorded and acknowledged. Transient and quota: redeliver (the policy says when it runs).
    return { results: settled.map((s) => s.result), redeliver: kind !== 'permanent', error: message };
  }

  /**
   * The table's learnt job size as stored in ledger state; null when sizes are not learnt (the same rule reconcile
   * packs by), when none is stored, or when it cannot be read (no cap then, not a failure).
   */
  async function storedJobSize(message: ChunkMessage): Promise<JobSize | null> {
    if (!jobSizesAdapt(sizeLimits)) return null;
    try {
      const stored = await ledger.getState(jobSizeKey(message.table, message.mode));
      return stored ? readJobSize(stored, sizeLimits, clock.now()) : null;
    } catch (error) {
      deps.logger.warn('could not read the job size', { table: message.table, error: errorMessage(error) });
      return null;
    }
  }

  /**
   * Read-modify-write of the table's job size in ledger state: the size as recorded, or null when it could not be read
   * or written (a failure to record it costs nothing but speed).
   */
  async function updateJobSize(message: ChunkMessage, change: (size: JobSize) => JobSize): Promise<JobSize | null> {
    const key = jobSizeKey(message.table, message.mode);
    try {
      const before = readJobSize(await ledger.getState(key), sizeLimits, clock.now());
      const after = change(before);
      if (after.dates !== before.dates || after.ceiling !== before.ceiling || after.pacedAt !== before.pacedAt) {
        await ledger.putState(key, { dates: after.dates, ceiling: after.ceiling, pacedAt: after.pacedAt });
      }
      return after;
    } catch (error) {
      deps.logger.warn('could not record the job size', { key, error: errorMessage(error) });
      return null;
    }
  }

  /**
   * The dates of a job to write, and those to keep: a partition holding the expected rows, built from exactly the
   * inputs as they are now (same lineage), is what the transform would write again (it is deterministic), so a
   * rebuild asked for because an input might have changed costs no write when it did not. `force` (reprocess
   * all) writes everything.
   */
  function whatToWrite(
    dates: readonly IsoDate[],
    expectations: ReadonlyMap<IsoDate, ExpectedDate>,
    read: PartitionLineageRead,
  ): { writeDates: IsoDate[]; unchanged: { rows: Map<IsoDate, number>; lineage: ReadonlyMap<IsoDate, PartitionLineage> } } {
    const { lineage, recorded } = read;
    const kept = new Map<IsoDate, number>();
    if (recorded) {
      for (const date of dates) {
        const held = recorded.get(date);
        const now = lineage.get(date);
        if (held && now && held.rows === (expectations.get(date)?.expectedRows ?? 0) && lineageDrift(held.lineage, now) === null) kept.set(date, held.rows);
      }
    }
    return { writeDates: dates.filter((d) => !kept.has(d)), unchanged: { rows: kept, lineage } };
  }

  /** The lineage of `dates` from the inputs now, and (unless `force`) what their partitions recorded: both queries at once. */
  async function readPartitionLineage(spec: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[], force: boolean): Promise<PartitionLineageRead> {
    const [current, recorded] = await Promise.all([
      currentLineage(warehouse, spec, mode, dates),
      force ? null : recordedPartitions(warehouse, spec, mode, dates),
    ]);
    return { lineage: current.byDate, recorded };
  }

  async function withoutBlocked(
    ids: string[],
    existing: Map<string, ChunkRecord>,
    message: ChunkMessage,
    skipped: Skipped,
  ): Promise<string[]> {
    const spec = tableSpec(message.table);
    if (spec.upstream.length === 0 || ids.length === 0) return ids;
    const dates = ids.map((id) => (existing.get(id) as ChunkRecord).gameDate).sort();
    const notDone = new Map<AnalyticsTableName, IsoDate[]>();
    for (const dep of spec.upstream) {
      // Across every run: an input another run is still building is not done either. Bounded by the dates read;
      // for "every earlier date" the earliest unfinished one decides, so one chunk is read, not all of them.
      const from = upstreamWindow(dep, dates[0] as IsoDate).from;
      const to = upstreamWindow(dep, dates[dates.length - 1] as IsoDate).to;
      if (to < from) continue;
      const rows = await ledger.listChunks({
        table: dep.table, mode: message.mode, states: NOT_DONE_STATES, gameDateFrom: from, gameDateTo: to,
        ...(dep.lookbackDays === 'all' ? { limit: 1 } : {}),
      });
      notDone.set(dep.table, rows.map((c) => c.gameDate).sort());
    }
    const runnable: string[] = [];
    for (const id of ids) {
      const chunk = existing.get(id) as ChunkRecord;
      const blocker = findBlocker(spec, chunk.gameDate, notDone);
      if (blocker) skipped.push({ id, reason: `waiting for ${blocker.table} ${blocker.gameDate}` });
      else runnable.push(id);
    }
    // A blocked chunk goes back to pending: reconcile publishes it again once its inputs are done.
    const blocked = ids.filter((id) => !runnable.includes(id));
    if (blocked.length) {
      await ledger.transition(blocked.map((id) => ({ id, from: ['queued'], to: 'pending', patch: { leaseExpiresAt: null, queuedAt: null } })));
    }
    return runnable;
  }

  return { process };
}

/** What `whatToWrite` decides from: each date's lineage now, and what its partition recorded (null: reprocess all, not read). */
interface PartitionLineageRead {
  readonly lineage: ReadonlyMap<IsoDate, PartitionLineage>;
  readonly recorded: Awaited<ReturnType<typeof recordedPartitions>> | null;
}

function among(dates: readonly IsoDate[], read: readonly IsoDate[]): boolean {
  const wanted = new Set(read);
  return dates.every((date) => wanted.has(date));
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
