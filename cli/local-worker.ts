import { randomUUID } from 'node:crypto';
import { createChunkProcessor } from '../shared/chunks/process-chunks.js';
import { localLimits, processorOptionsFrom, reconcileLimitsFrom, type LocalRunSettings } from '../shared/config/wiring.js';
import type { Logger } from '../shared/log/logger.js';
import { systemClock } from '../shared/ports/clock.js';
import type { ReconcileLimits } from '../shared/reconcile/plan-reconcile.js';
import { InProcessQueue } from '../adapters/local/in-process-queue.js';
import type { Warehouse } from '../shared/ports/warehouse.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { ExpectationSource } from '../shared/planning/expectations.js';

export interface LocalWorkerOptions extends LocalRunSettings {
  readonly logger: Logger;
  /** The expectations the run's plan read (planning/expectations.ts `plannedExpectations`); else each message reads its own. */
  readonly expectations?: ExpectationSource;
}

/** How much longer the driver waits for a message to finish while some run, than when none does. */
const BUSY_WAIT_FACTOR = 10;

/** This process as the only worker of a data dir: the chunk processor behind an in-process queue. */
export interface LocalWorker {
  readonly queue: InProcessQueue;
  /** Reconcile limits that keep the queue busy without flooding it. */
  readonly limits: ReconcileLimits;
  /** Resolves when a chunk finished or `wake()` was called, or after at most `timeoutMs`. */
  readonly waitForWork: (timeoutMs: number) => Promise<void>;
  readonly wake: () => void;
  /** Let the chunks in flight finish and checkpoint (before the databases close). */
  close(): Promise<void>;
}

/** On the stack's warehouse and ledger (or wrappers of them: a benchmark counts its queries). */
export function createLocalWorker(stack: { readonly warehouse: Warehouse; readonly ledger: Ledger }, options: LocalWorkerOptions): LocalWorker {
  const limits = localLimits(options);
  const processor = createChunkProcessor(
    { warehouse: stack.warehouse, ledger: stack.ledger, clock: systemClock, logger: options.logger },
    { ...processorOptionsFrom(limits, `local-${process.pid}-${randomUUID().slice(0, 8)}`), expectations: options.expectations },
  );
  const wakers: Array<() => void> = [];
  const wake = () => {
    for (const w of wakers.splice(0)) w();
  };
  // Locally the handler never asks for redelivery: reconcile retries failed chunks after their back-off.
  const queue = new InProcessQueue({
    concurrency: options.concurrency,
    maxDeliveryAttempts: 1,
    handler: async (message) => {
      try {
        await processor.process(message);
      } finally {
        wake();
      }
    },
  });
  return {
    queue,
    limits: reconcileLimitsFrom(limits),
    // While messages run, a tick is due when one finishes (it wakes us); the timeout only catches back-offs
    // coming due, so it is longer then: each idle tick lists and plans every chunk of the run.
    waitForWork: (timeoutMs) => new Promise<void>((resolve) => {
      const busy = queue.active + queue.pending > 0;
      const timer = setTimeout(resolve, busy ? timeoutMs * BUSY_WAIT_FACTOR : timeoutMs);
      wakers.push(() => {
        clearTimeout(timer);
        resolve();
      });
    }),
    wake,
    close: () => queue.close(),
  };
}
