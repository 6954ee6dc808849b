import type { Clock } from '../ports/clock.js';
import type { ChunkRecord, ChunkTransition, Ledger, RunRecord } from '../ports/ledger.js';
import type { ChunkQueue } from '../ports/queue.js';
import type { Logger } from '../log/logger.js';
import type { ChunkMessage } from '../chunks/chunk-message.js';
import { planReconcile, type InFlight, type ReconcileLimits } from './plan-reconcile.js';
import type { AnalyticsTableName } from '../tables/names.js';
import { IN_FLIGHT_STATES, NOT_DONE_STATES, UNFINISHED_STATES, isIn } from '../chunks/chunk-state.js';
import { isPaced, jobSizeKey, jobSizesAdapt, readJobSize } from '../chunks/job-size.js';

export interface ReconcileDeps {
  readonly ledger: Ledger;
  readonly queue: ChunkQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called once when a run ends (verification of its scope and alerting go here). */
  readonly onRunFinished?: (run: RunRecord) => Promise<void>;
}

export interface RunTick {
  readonly runId: string;
  readonly published: number;
  readonly messages: number;
  readonly repaired: number;
  readonly finished: RunRecord['state'] | null;
  readonly waitingOnDependencies: number;
  readonly waitingOnBackoff: number;
  readonly heldByCaps: number;
}

/**
 * Chunks queued or running everywhere, per table: the caps apply to all runs together. Counted, not listed (a listing
 * of every chunk in flight each pass was most of reconcile's reads); less the ones just released.
 */
function tally(counted: Partial<Record<AnalyticsTableName, number>>, released: readonly ChunkRecord[]): InFlight {
  const byTable = { ...counted };
  for (const c of released) byTable[c.table] = Math.max(0, (byTable[c.table] ?? 0) - 1);
  return { total: Object.values(byTable).reduce((n, v) => n + (v ?? 0), 0), byTable };
}

/**
 * Chunks in flight whose lease ran out and that no active run owns (their run was cancelled or ended
 * while a worker that then died held them). No run's reconcile would look at them again, and they
 * would hold places under the caps for good: put them back to pending, spending no attempt.
 */
async function releaseOrphans(deps: ReconcileDeps, activeRunIds: ReadonlySet<string>): Promise<ChunkRecord[]> {
  const now = deps.clock.now();
  const expired = await deps.ledger.listChunks({ states: IN_FLIGHT_STATES, leaseExpiredBy: now });
  const orphans = expired.filter((c) => !c.runIds.some((id) => activeRunIds.has(id)));
  if (orphans.length === 0) return [];
  const released = await deps.ledger.transition(orphans.map((c): ChunkTransition => ({
    id: c.id, from: [c.state], to: 'pending', leaseExpiredBy: now,
    patch: { leaseOwner: null, leaseExpiresAt: null, queuedAt: null },
  })));
  if (released.length) deps.logger.warn('released chunks left in flight by runs no longer active', { chunks: released.length, ids: released.slice(0, 10).map((c) => c.id) });
  return released;
}

/** The job size each table of these chunks has learnt (ledger state), when sizes may grow at all, and the tables paced. */
async function learntJobSizes(deps: ReconcileDeps, run: RunRecord, chunks: readonly ChunkRecord[], limits: ReconcileLimits, now: number): Promise<{
  sizes: Partial<Record<AnalyticsTableName, number>>;
  paced: AnalyticsTableName[];
}> {
  const sizeLimits = { initialDates: limits.datesPerJob, maxDates: limits.maxDatesPerJob, maxRows: Number.POSITIVE_INFINITY };
  const sizes: Partial<Record<AnalyticsTableName, number>> = {};
  const paced: AnalyticsTableName[] = [];
  if (!jobSizesAdapt(sizeLimits)) return { sizes, paced };
  for (const table of new Set(chunks.map((c) => c.table))) {
    const size = readJobSize(await deps.ledger.getState(jobSizeKey(table, run.request.mode)), sizeLimits, now);
    sizes[table] = size.dates;
    if (isPaced(size)) paced.push(table);
  }
  return { sizes, paced };
}

/**
 * A listing may come from a copy a ledger keeps (the Firestore ledger's, adapters/firestore/chunk-mirror.ts), which
 * can see a change late: a run is recorded as ended only when counting its chunks finds none unfinished.
 */
async function confirmedFinished(deps: ReconcileDeps, run: RunRecord, log: Logger): Promise<boolean> {
  const unfinished = (await deps.ledger.countChunks(run.id)).filter((c) => isIn(UNFINISHED_STATES, c.state)).reduce((n, c) => n + c.count, 0);
  if (unfinished > 0) log.warn('the listing showed every chunk finished, counting finds some unfinished: the run goes on', { unfinished });
  return unfinished === 0;
}

/**
 * One reconcile tick over every active run: repair, republish within the caps in dependency order,
 * finish runs whose chunks are all terminal. Safe to run twice at once.
 */
export async function reconcileRuns(deps: ReconcileDeps, limits: ReconcileLimits, options: { runIds?: readonly string[] } = {}): Promise<RunTick[]> {
  const { ledger } = deps;
  const active = await ledger.listRuns({ states: ['active'] });
  const runs = options.runIds ? active.filter((r) => options.runIds?.includes(r.id)) : active;
  const released = await releaseOrphans(deps, new Set(active.map((r) => r.id)));
  // Counted only when a run is to be reconciled: an idle tick reads the runs and the expired leases, nothing more.
  const inFlight = tally(runs.length ? await ledger.countChunksByTable(IN_FLIGHT_STATES) : {}, released);
  const ticks: RunTick[] = [];
  for (const run of runs) ticks.push(await reconcileRun(deps, run, inFlight, limits));
  return ticks;
}

async function reconcileRun(deps: ReconcileDeps, run: RunRecord, inFlight: InFlight, limits: ReconcileLimits): Promise<RunTick> {
  const { ledger, queue, clock } = deps;
  const log = deps.logger.child({ runId: run.id });
  const now = clock.now();
  const chunks = await ledger.listChunks({ runId: run.id, states: NOT_DONE_STATES });
  const learnt = await learntJobSizes(deps, run, chunks, limits, now);
  const decision = planReconcile({ run, chunks, inFlight, now, limits, jobSizes: learnt.sizes, pacedTables: learnt.paced });

  const repaired = decision.repairs.length ? await ledger.transition(decision.repairs) : [];
  for (const c of repaired) if (c.state === 'dead') log.error('chunk dead', { table: c.table, gameDate: c.gameDate, attempts: c.attempts, lastError: c.lastError });

  const queued = decision.enqueue.length ? await ledger.transition(decision.enqueue) : [];
  const won = new Set(queued.map((c: ChunkRecord) => c.id));
  const messages: ChunkMessage[] = [];
  for (const planned of decision.messages) {
    const dates = planned.dates.filter((_, i) => won.has(planned.chunkIds[i] as string));
    if (dates.length) messages.push({ v: 1, runId: run.id, table: planned.table, mode: run.request.mode, dates, publishedAt: now, ...(planned.holdMs ? { holdMs: planned.holdMs } : {}) });
  }
  if (messages.length) {
    try {
      await queue.publish(messages);
    } catch (error) {
      // The chunks stay queued with a stall lease: the next tick after it expires publishes them again.
      log.error('publishing chunk messages failed; they will be republished when their queue lease expires', { error: String(error), messages: messages.length });
      throw error;
    }
  }
  // Keep the shared tally in step for the next run of this tick (a republished stalled chunk was already in flight).
  const enqueuedFrom = new Map(decision.enqueue.map((t) => [t.id, t.from[0]]));
  for (const c of queued) {
    if (enqueuedFrom.get(c.id) === 'queued') continue;
    inFlight.total += 1;
    inFlight.byTable[c.table] = (inFlight.byTable[c.table] ?? 0) + 1;
  }

  let finished: RunRecord['state'] | null = null;
  if (decision.finish && !(await confirmedFinished(deps, run, log))) {
    // Not recorded: the next pass lists the chunks again.
  } else if (decision.finish) {
    const updated = await ledger.updateRun(run.id, ['active'], { state: decision.finish.state, outcome: decision.finish.outcome, finishedAt: now, updatedAt: now });
    if (updated) {
      finished = updated.state;
      log.info(`run ${updated.state}: ${decision.finish.outcome}`, { state: updated.state });
      if (deps.onRunFinished) await deps.onRunFinished(updated);
    }
  }
  const published = messages.reduce((n, m) => n + m.dates.length, 0);
  if (published || repaired.length) log.info('reconcile tick', { published, messages: messages.length, repaired: repaired.length, ...decision.counts });
  return { runId: run.id, published, messages: messages.length, repaired: repaired.length, finished, ...decision.counts };
}
