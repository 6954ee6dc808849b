import type { Clock } from '../ports/clock.js';
import type { Logger } from '../log/logger.js';
import type { ReconcileTrigger } from '../ports/reconcile-trigger.js';
import { errorMessage } from '../errors/errors.js';

/** At most one nudge a second from one worker: reconcile passes are safe to run twice, but not free. */
export const NUDGE_MIN_INTERVAL_MS = 1000;

/**
 * A reconcile tick asked for when a job finished, so the work it unblocks (a dependent table's dates, the next
 * job of the same table held by the caps) is published now rather than at the next scheduler tick. Rate-limited
 * per worker, leading edge only (a nudge skipped inside the interval is covered by the one before it, or by the
 * scheduler's tick); best effort: a failure is logged and costs nothing but that wait.
 */
export function rateLimitedNudge(trigger: ReconcileTrigger, clock: Clock, logger: Logger, minIntervalMs = NUDGE_MIN_INTERVAL_MS): () => Promise<void> {
  let last = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = clock.now();
    if (now - last < minIntervalMs) return;
    last = now;
    try {
      await trigger.requestReconcile();
    } catch (error) {
      logger.warn('could not nudge reconcile; the scheduler tick will do its work', { error: errorMessage(error) });
    }
  };
}
