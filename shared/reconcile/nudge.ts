import { setTimeout as sleepReal } from 'node:timers/promises';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../log/logger.js';
import type { ReconcileTrigger } from '../ports/reconcile-trigger.js';
import { errorMessage } from '../errors/errors.js';

/** At most one nudge a second from one worker: reconcile passes are safe to run twice, but not free. */
export const NUDGE_MIN_INTERVAL_MS = 1000;

/**
 * A reconcile tick asked for when a job finished, so the work it unblocks (a dependent table's dates, the next
 * job of the same table held by the caps) is published now rather than at the next scheduler tick. Rate-limited
 * per worker, leading and trailing edge: a nudge asked for inside the interval is not dropped (the tick the one
 * before it started may have read the ledger before this job's checkpoint, and then its dates would wait for
 * the scheduler's minute); one nudge at the end of the interval covers every job finished in it, and the
 * caller waits for it (at most the interval) so it is sent while the invocation still runs. Best effort: a
 * failure is logged and costs nothing but the wait for the scheduler's tick.
 */
export function rateLimitedNudge(
  trigger: ReconcileTrigger,
  clock: Clock,
  logger: Logger,
  minIntervalMs = NUDGE_MIN_INTERVAL_MS,
  sleep: (ms: number) => Promise<void> = (ms) => sleepReal(ms),
): () => Promise<void> {
  let last = Number.NEGATIVE_INFINITY;
  let trailing: Promise<void> | null = null;
  const send = async () => {
    last = clock.now();
    try {
      await trigger.requestReconcile();
    } catch (error) {
      logger.warn('could not nudge reconcile; the scheduler tick will do its work', { error: errorMessage(error) });
    }
  };
  return async () => {
    if (trailing) return trailing;
    const wait = last + minIntervalMs - clock.now();
    if (wait <= 0) return send();
    trailing = (async () => {
      await sleep(wait);
      trailing = null;
      await send();
    })();
    return trailing;
  };
}
