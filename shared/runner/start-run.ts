import type { Clock } from '../ports/clock.js';
import type { ChunkTransition, Ledger, RunRecord } from '../ports/ledger.js';
import type { Warehouse } from '../ports/warehouse.js';
import type { BackfillRequest } from '../planning/backfill-request.js';
import { planBackfill, type BackfillPlan } from '../planning/plan-chunks.js';

export interface StartedRun {
  readonly run: RunRecord;
  readonly plan: BackfillPlan;
  readonly created: boolean;
  readonly chunksAdded: number;
}

/**
 * Plan a request and record it. Repeating the same request finds the same run and the same chunks
 * (ids derive from the work), so it resumes rather than duplicates.
 */
export async function startRun(deps: { warehouse: Warehouse; ledger: Ledger; clock: Clock }, request: BackfillRequest): Promise<StartedRun> {
  const plan = await planBackfill(deps.warehouse, request);
  const now = deps.clock.now();
  const record: RunRecord = {
    id: plan.runId, request, state: 'active', chunkCount: plan.chunks.length,
    createdAt: now, updatedAt: now, finishedAt: null, outcome: null,
  };
  const { run, created, chunksAdded } = await deps.ledger.createRun(record, plan.chunks);
  return { run, plan, created, chunksAdded };
}

/**
 * Give a run's failed and dead chunks a new set of attempts, look again at its no_source dates (the
 * raw data may have arrived), and make the run active again, cancelled ones included (CLI re-run of a finished run,
 * `POST /backfills/:id/retry`). Succeeded chunks are never redone.
 */
export async function retryRun(deps: { ledger: Ledger; clock: Clock }, runId: string): Promise<{ run: RunRecord | null; retried: number }> {
  const { ledger, clock } = deps;
  const stuck = await ledger.listChunks({ runId, states: ['failed', 'dead', 'no_source'] });
  const now = clock.now();
  const changed = await ledger.transition(stuck.map((c): ChunkTransition => ({
    id: c.id, from: ['failed', 'dead', 'no_source'], to: 'pending',
    patch: { attempts: 0, nextAttemptAt: null, leaseOwner: null, leaseExpiresAt: null, updatedAt: now },
  })));
  // A cancelled run is resumed too: retrying it, or asking for the same request again, means go on.
  const run = await ledger.updateRun(runId, ['failed', 'succeeded', 'active', 'cancelled', 'interrupted'], { state: 'active', finishedAt: null, outcome: null, updatedAt: now });
  return { run, retried: changed.length };
}

/**
 * On one machine the process that runs the queue is the only worker, so chunks it finds queued or
 * running were left by a process that was killed: put them back without spending an attempt.
 */
export async function recoverLocalOrphans(deps: { ledger: Ledger; clock: Clock }, runId: string): Promise<number> {
  const { ledger } = deps;
  const orphans = await ledger.listChunks({ runId, states: ['queued', 'running'] });
  const changed = await ledger.transition(orphans.map((c): ChunkTransition => ({
    id: c.id, from: ['queued', 'running'], to: 'pending',
    patch: { leaseOwner: null, leaseExpiresAt: null, queuedAt: null },
  })));
  return changed.length;
}
