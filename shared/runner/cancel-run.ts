import type { Clock } from '../ports/clock.js';
import type { Ledger, RunRecord } from '../ports/ledger.js';
import { releaseQueued } from '../chunks/release-queued.js';

/**
 * Cancel an active run. Its chunks running now finish and checkpoint; its queued chunks go back to
 * pending. Left queued, they would count against the in-flight caps of every later run for good
 * (reconcile republishes only for active runs) and tell GET /backfills/:id they were on their way.
 * Null when the run is not active.
 */
export async function cancelRun(deps: { ledger: Ledger; clock: Clock }, runId: string, outcome: string): Promise<{ run: RunRecord; released: number } | null> {
  const now = deps.clock.now();
  const run = await deps.ledger.updateRun(runId, ['active'], { state: 'cancelled', outcome, finishedAt: now, updatedAt: now });
  if (!run) return null;
  const queued = await deps.ledger.listChunks({ runId, states: ['queued'] });
  return { run, released: await releaseQueued(deps.ledger, queued.map((c) => c.id)) };
}
