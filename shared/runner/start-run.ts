import type { Clock } from '../ports/clock.js';
import type { ChunkTransition, Ledger, RunRecord } from '../ports/ledger.js';
import type { Warehouse } from '../ports/warehouse.js';
import type { BackfillRequest } from '../planning/backfill-request.js';
import { planBackfill, type BackfillPlan } from '../planning/plan-chunks.js';
import { tableSpec } from '../tables/registry.js';
import { anotherRound, chunksToRedo } from '../chunks/rounds.js';
import { IN_FLIGHT_STATES, UNSUCCESSFUL_STATES } from '../chunks/chunk-state.js';

export interface StartedRun {
  readonly run: RunRecord;
  readonly plan: BackfillPlan;
  readonly created: boolean;
  readonly chunksAdded: number;
  /** Chunks that had finished and went back to work this round. */
  readonly redone: number;
  /** Things the person asking should know (an exclusion that was not needed), one line each. */
  readonly notes: readonly string[];
}

/**
 * Plan a request and record it, and send back to work what this round must (re)do: every chunk whose partition
 * the warehouse does not hold current (missing, short, in excess, stale), and what `reprocess` asks for.
 * Repeating the same request finds the same run and the same chunks (ids derive from the work), so it resumes
 * rather than duplicates; asking again for a run that ended starts a new round of it.
 */
export async function startRun(
  deps: { warehouse: Warehouse; ledger: Ledger; clock: Clock },
  request: BackfillRequest,
  options: { readonly resumeCancelled?: boolean } = {},
): Promise<StartedRun> {
  const { ledger, clock } = deps;
  const plan = await planBackfill(deps.warehouse, request);
  const now = clock.now();
  const record: RunRecord = {
    id: plan.runId, request, state: 'active', chunkCount: plan.chunks.length,
    createdAt: now, updatedAt: now, finishedAt: null, outcome: null, roundStartedAt: now,
  };
  const created = await ledger.createRun(record, plan.chunks);
  let run = created.run;
  // A cancelled run stays cancelled unless the caller resumes it (the CLI's same command; the API has retry).
  if (run.state === 'cancelled' && !options.resumeCancelled) return { run, plan, created: created.created, chunksAdded: created.chunksAdded, redone: 0, notes: [] };
  // A run whose process died (interrupted) resumes the same round; one that ended starts a new one.
  const resuming = run.state === 'active' || run.state === 'interrupted';
  const roundStartedAt = resuming ? run.roundStartedAt : now;
  // Chunks this call created are pending, and nothing sends a pending chunk back to work: read them only when
  // some existed before (a run asked for again, or chunks shared with another run).
  const chunks = created.chunksAdded === plan.chunks.length ? [] : await ledger.getChunks(plan.chunks.map((c) => c.id));
  const redone = await ledger.transition(chunksToRedo(chunks, new Set(plan.rebuild), request.reprocess, roundStartedAt));
  if (run.state !== 'active') {
    // Asked for again after it ended: a new round, even when nothing needs work (reconcile then ends it at once).
    run = (await ledger.updateRun(run.id, ['succeeded', 'failed', 'cancelled', 'interrupted'], {
      state: 'active', finishedAt: null, outcome: null, roundStartedAt, chunkCount: plan.chunks.length,
    })) ?? run;
  } else if (run.chunkCount !== plan.chunks.length) {
    run = (await ledger.updateRun(run.id, ['active'], { chunkCount: plan.chunks.length })) ?? run;
  }
  return { run, plan, created: created.created, chunksAdded: created.chunksAdded, redone: redone.length, notes: await exclusionNotes(deps.warehouse, request) };
}

/**
 * Test runs write only to the test dataset, so a production backfill never needs to skip a date to spare a test
 * run's work: an excluded date that only a test run touched is named, in one line (the run goes on as asked).
 */
export async function exclusionNotes(warehouse: Warehouse, request: BackfillRequest): Promise<string[]> {
  if (request.mode !== 'production' || request.excludeDates.length === 0) return [];
  const testOnly = new Set(request.excludeDates);
  for (const table of request.tables) {
    const [production, test] = await Promise.all([
      warehouse.countRows(tableSpec(table), 'production', request.excludeDates),
      warehouse.countRows(tableSpec(table), 'test', request.excludeDates),
    ]);
    for (const date of request.excludeDates) if ((production[date] ?? 0) > 0 || (test[date] ?? 0) === 0) testOnly.delete(date);
  }
  if (testOnly.size === 0) return [];
  const dates = [...testOnly].sort();
  return [`${dates.join(', ')}: only a test run wrote ${dates.length === 1 ? 'this date' : 'these dates'} (test_nba_analytics); test runs never write nba_analytics, so excluding ${dates.length === 1 ? 'it' : 'them'} is not needed. Excluded as asked.`];
}

/**
 * Give a run's failed and dead chunks a new set of attempts, look again at its no_source dates (the
 * raw data may have arrived), and make the run active again, cancelled ones included (`POST /backfills/:id/retry`).
 * Succeeded chunks are not redone here (asking for the run again redoes what the warehouse lacks).
 */
export async function retryRun(deps: { ledger: Ledger; clock: Clock }, runId: string): Promise<{ run: RunRecord | null; retried: number }> {
  const { ledger, clock } = deps;
  const stuck = await ledger.listChunks({ runId, states: UNSUCCESSFUL_STATES });
  const now = clock.now();
  const changed = await ledger.transition(stuck.map(anotherRound));
  // A cancelled run is resumed too: retrying it, or asking for the same request again, means go on.
  const run = await ledger.updateRun(runId, ['failed', 'succeeded', 'active', 'cancelled', 'interrupted'], { state: 'active', finishedAt: null, outcome: null, updatedAt: now, roundStartedAt: now });
  return { run, retried: changed.length };
}

/**
 * On one machine the process that runs the queue is the only worker, so chunks it finds queued or
 * running were left by a process that was killed: put them back without spending an attempt.
 */
export async function recoverLocalOrphans(deps: { ledger: Ledger; clock: Clock }, runId: string): Promise<number> {
  const { ledger } = deps;
  const orphans = await ledger.listChunks({ runId, states: IN_FLIGHT_STATES });
  const changed = await ledger.transition(orphans.map((c): ChunkTransition => ({
    id: c.id, from: IN_FLIGHT_STATES, to: 'pending',
    patch: { leaseOwner: null, leaseExpiresAt: null, queuedAt: null },
  })));
  return changed.length;
}
