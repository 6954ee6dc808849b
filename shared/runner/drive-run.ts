import type { ChunkCount, Ledger, RunRecord } from '../ports/ledger.js';
import type { ReconcileDeps } from '../reconcile/reconcile.js';
import { reconcileRuns } from '../reconcile/reconcile.js';
import type { ReconcileLimits } from '../reconcile/plan-reconcile.js';
import { isTerminal } from '../chunks/chunk-state.js';

export interface Progress {
  readonly run: RunRecord;
  readonly counts: readonly ChunkCount[];
  readonly total: number;
  /** succeeded + no_source + dead: nothing more will happen to them. */
  readonly settled: number;
}

export interface DriveOptions {
  readonly runId: string;
  readonly limits: ReconcileLimits;
  /** Resolves when some work finished, or after at most `timeoutMs`. */
  readonly waitForWork: (timeoutMs: number) => Promise<void>;
  readonly idleWaitMs: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

export async function readProgress(ledger: Ledger, runId: string): Promise<Progress | null> {
  const run = await ledger.getRun(runId);
  if (!run) return null;
  const counts = await ledger.countChunks(runId);
  const total = counts.reduce((n, c) => n + c.count, 0);
  const settled = counts.filter((c) => isTerminal(c.state)).reduce((n, c) => n + c.count, 0);
  return { run, counts, total, settled };
}

/**
 * Drive one run to its end with reconcile ticks, as Cloud Scheduler does in the cloud but as
 * often as work finishes. Returns the run as it ended, or as it stood when the signal aborted.
 */
export async function driveRun(deps: ReconcileDeps, options: DriveOptions): Promise<RunRecord> {
  for (;;) {
    await reconcileRuns(deps, options.limits, { runIds: [options.runId] });
    const progress = await readProgress(deps.ledger, options.runId);
    if (!progress) throw new Error(`run ${options.runId} disappeared from the ledger`);
    options.onProgress?.(progress);
    if (progress.run.state !== 'active' || options.signal?.aborted) return progress.run;
    await options.waitForWork(options.idleWaitMs);
  }
}
