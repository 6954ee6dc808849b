import type { ChunkPatch, ChunkRecord } from '../ports/ledger.js';
import type { ErrorKind } from '../errors/errors.js';
import { retryDelayMs } from './backoff.js';
import { TABLE_RATE_WINDOW_MS } from './job-size.js';

/**
 * The one retry policy. Every path that may run a chunk again asks it: the chunk processor when a message
 * arrives (Pub/Sub delivers again what was not acknowledged: "If Pub/Sub attempts to deliver a message but the
 * subscriber can't acknowledge it, Pub/Sub automatically tries to resend the message",
 * https://cloud.google.com/pubsub/docs/handling-failures), reconcile when it republishes, and the local runner
 * (which runs the same processor and reconcile). It decides
 *
 *  - when a chunk is due again (`notDueUntil`): a failed chunk, or one backed off on quota, not before its
 *    `nextAttemptAt`, whoever delivers its message;
 *  - how long a failure backs off (`afterFailure`: base * 2^(attempt-1), capped) and when the chunk is dead
 *    (a permanent error at once, any other after `maxAttempts`);
 *  - how a quota refusal backs off (`afterQuota`): no attempt is spent, but not forever. BigQuery says
 *    "rateLimitExceeded. This value indicates a short-term limit ... retry the operation after few seconds. Use
 *    exponential backoff" and "quotaExceeded. This value indicates a longer-term" limit (a daily or custom quota;
 *    "wait 10 minutes or longer", https://cloud.google.com/bigquery/docs/troubleshoot-quotas). A chunk refused
 *    for longer than `quotaGiveUpMs` in all spends an attempt like any failure (reported with the error, dead
 *    after its attempts), so a quota that will not come back within the day ends the run instead of holding it;
 *  - how a failed multi-date job is split (`IsolationSearch`).
 *
 * Pure: records and times in, patches out.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Quota back-offs of one chunk past this much waiting in all count as a failure (an attempt spent). */
  readonly quotaGiveUpMs: number;
}

export type FailureState = 'failed' | 'dead';

/** The time before which the chunk must not run, or null when it may run now. */
export function notDueUntil(chunk: Pick<ChunkRecord, 'state' | 'nextAttemptAt'>, now: number): number | null {
  if (chunk.state !== 'failed' && chunk.state !== 'queued') return null;
  return chunk.nextAttemptAt !== null && chunk.nextAttemptAt > now ? chunk.nextAttemptAt : null;
}

export function isDue(chunk: Pick<ChunkRecord, 'state' | 'nextAttemptAt'>, now: number): boolean {
  return notDueUntil(chunk, now) === null;
}

/** A failed chunk that has spent its attempts: it will not run again this round. */
export function isOutOfAttempts(chunk: Pick<ChunkRecord, 'state' | 'attempts'>, policy: Pick<RetryPolicy, 'maxAttempts'>): boolean {
  return chunk.state === 'failed' && chunk.attempts >= policy.maxAttempts;
}

/**
 * A real failure of the chunk (not quota): an attempt spent; dead when the error is permanent or the attempts
 * are spent, otherwise failed with the time it is due again.
 */
export function afterFailure(
  chunk: Pick<ChunkRecord, 'attempts'>,
  kind: Exclude<ErrorKind, 'quota'>,
  error: string,
  now: number,
  policy: RetryPolicy,
): { readonly state: FailureState; readonly patch: ChunkPatch } {
  const attempts = chunk.attempts + 1;
  const dead = kind === 'permanent' || attempts >= policy.maxAttempts;
  return {
    state: dead ? 'dead' : 'failed',
    patch: {
      attempts, quotaRetries: 0, lastError: error, finishedAt: now, leaseOwner: null, leaseExpiresAt: null,
      nextAttemptAt: dead ? null : now + retryDelayMs(attempts, policy.retryBaseMs, policy.retryMaxMs),
    },
  };
}

/** The waiting `quotaRetries` back-offs add up to (the first one is the shortest). */
export function quotaWaitedMs(quotaRetries: number, policy: Pick<RetryPolicy, 'retryBaseMs' | 'retryMaxMs'>): number {
  let total = 0;
  for (let n = 1; n <= quotaRetries; n += 1) total += retryDelayMs(n, policy.retryBaseMs, policy.retryMaxMs);
  return total;
}

/**
 * A quota refusal: back to queued, due after a growing back-off, no attempt spent; reconcile republishes it
 * then (its queue lease ends with the back-off). Once the back-offs passed `quotaGiveUpMs` it is a failure.
 */
export function afterQuota(
  chunk: Pick<ChunkRecord, 'attempts' | 'quotaRetries'>,
  error: string,
  now: number,
  policy: RetryPolicy,
): { readonly state: 'queued'; readonly patch: ChunkPatch } | { readonly state: FailureState; readonly patch: ChunkPatch } {
  const waited = quotaWaitedMs(chunk.quotaRetries, policy);
  if (waited >= policy.quotaGiveUpMs) {
    const minutes = Math.round(waited / 60_000);
    return afterFailure(chunk, 'transient', `quota still refused after ${chunk.quotaRetries} back-offs (${minutes} min): ${error}`, now, policy);
  }
  const quotaRetries = chunk.quotaRetries + 1;
  const due = now + retryDelayMs(quotaRetries, policy.retryBaseMs, policy.retryMaxMs);
  return {
    state: 'queued',
    patch: { quotaRetries, lastError: error, leaseOwner: null, leaseExpiresAt: due, nextAttemptAt: due, queuedAt: now },
  };
}

/**
 * A job of several dates refused as too large for the table's modification rate (job-size.ts
 * `refusesJobSize`): the size was wrong, not the quota spent. Its chunks go back to pending at once, no attempt and
 * no quota back-off spent, and reconcile (nudged) packs them again, in date order, in jobs of the new size, which
 * wait for the window in place (`rateWaitMs`). Sent back to the same worker instead (a redelivery), a message's
 * dates would go out from wherever its range started, beside other messages' ranges, out of date order. It cannot
 * repeat for ever: every such refusal paces or halves the table's size, and a refused job of one date is an
 * ordinary quota refusal (`afterQuota`), backed off and given up on in time.
 */
export function afterSizeRefusal(error: string): { readonly state: 'pending'; readonly patch: ChunkPatch } {
  return { state: 'pending', patch: { lastError: error, leaseOwner: null, leaseExpiresAt: null, nextAttemptAt: null, queuedAt: null, startedAt: null } };
}

/**
 * A short-term rate limit refuses a job: BigQuery's "Exceeded rate limits: ..." (reason `rateLimitExceeded`),
 * for the table's DML statements or its partitioned-table modifications. Both say to retry at once, with back-off:
 * "This error is transient; you can retry with an exponential backoff" (https://cloud.google.com/bigquery/quotas,
 * partitioned tables) and "`rateLimitExceeded`. This value indicates a short-term limit. To resolve these limit
 * issues, retry the operation after few seconds. Use exponential backoff between retry attempts."
 * (https://cloud.google.com/bigquery/docs/troubleshoot-quotas). Not "Too many DML statements outstanding"
 * (the table's queue is full: more jobs in flight than it takes) nor `quotaExceeded` (long-term).
 */
export function isShortTermRateLimit(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /exceeded rate limits/i.test(text);
}

/**
 * In-place waits for a rate window: the first, the longest and the total. The window slides, so its room frees
 * at any moment: a wait is kept short (a second at most), or the job that waited longest would poll least often,
 * newer jobs would take the room first and its dates fall behind theirs. (A refused statement runs nothing; the
 * model counts it against no limit: docs/scaling.md, caveats.)
 */
export const RATE_WAIT_FIRST_MS = 500;
export const RATE_WAIT_MAX_MS = 1000;
export const RATE_WAIT_BUDGET_MS = 12 * TABLE_RATE_WINDOW_MS;

/**
 * How long a worker waits, holding its claim, before sending again a job a short-term rate limit refused
 * (`isShortTermRateLimit`; for the partitioned-table rate only a job that fits one window, job-size.ts
 * `waitsForWindow`): exponential from RATE_WAIT_FIRST_MS, at most RATE_WAIT_MAX_MS, or null once the next wait would
 * pass RATE_WAIT_BUDGET_MS in all (the job then fails as a quota refusal: `afterQuota`, or `afterSizeRefusal`).
 * Waiting in place keeps the job's dates in order and its place among the table's jobs; handing them back would
 * cost a rate window, a reconcile pass and a delivery each time, and send them out behind later dates.
 */
export function rateWaitMs(waits: number, waitedMs: number): number | null {
  const wait = Math.min(RATE_WAIT_MAX_MS, RATE_WAIT_FIRST_MS * 2 ** Math.min(30, waits));
  return waitedMs + wait > RATE_WAIT_BUDGET_MS ? null : wait;
}

/** A worker died or timed out holding the chunk: that costs an attempt, and it is due again at once. */
export function afterLeaseExpired(
  chunk: Pick<ChunkRecord, 'attempts' | 'leaseOwner'>,
  now: number,
  policy: Pick<RetryPolicy, 'maxAttempts'>,
): { readonly state: FailureState; readonly patch: ChunkPatch } {
  const attempts = chunk.attempts + 1;
  return {
    state: attempts >= policy.maxAttempts ? 'dead' : 'failed',
    patch: { attempts, lastError: `lease expired (held by ${chunk.leaseOwner ?? 'unknown'})`, leaseOwner: null, leaseExpiresAt: null, nextAttemptAt: now },
  };
}

/**
 * Failure isolation for a multi-date job that failed with an error other than quota: a bisection that writes
 * the good dates on its way. `suspects` are dates of a failed job not yet written (the failure is among them);
 * `cleared` are dates set aside when a half of the suspects failed (presumed good, written at the end);
 * `proven`: the suspects ran as one job on their own and it failed (not only inferred from a half that passed).
 *
 * Each step runs the first half of the suspects alone. Success: those dates are written and the failure is in
 * the other half. Failure: the failure is in that half, the other half is cleared. One suspect left is the date
 * that fails: it takes the failure (an attempt) on its own, and the cleared dates run as one job. A suspect
 * only inferred is blamed without a run of its own when the error is deterministic (permanent); after a
 * transient error it runs alone first, since the error may have been the moment's, not the date's.
 * So one bad date among n costs the first job, ceil(log2 n) halvings and one job for the cleared dates:
 * at most ceil(log2 n) + 2 jobs with a permanent error, one more with a transient one, and every other date is
 * written. If the cleared job fails too (a second bad date), the search starts again over it.
 */
export interface IsolationSearch<T> {
  readonly suspects: readonly T[];
  readonly cleared: readonly T[];
  readonly proven: boolean;
}

export type IsolationStep<T> =
  | { readonly kind: 'run'; readonly job: readonly T[] }
  /** This one item failed on its own: record the failure against it; then go on. */
  | { readonly kind: 'blame'; readonly item: T };

export function startIsolation<T>(failedJob: readonly T[]): IsolationSearch<T> {
  return { suspects: failedJob, cleared: [], proven: true };
}

/** The next step of the search, or null when nothing is left. `lastKind`: the kind of the last failure. */
export function nextIsolationStep<T>(search: IsolationSearch<T>, lastKind: Exclude<ErrorKind, 'quota'>): IsolationStep<T> | null {
  if (search.suspects.length === 1) {
    return search.proven || lastKind === 'permanent' ? { kind: 'blame', item: search.suspects[0] as T } : { kind: 'run', job: search.suspects };
  }
  if (search.suspects.length > 1) return { kind: 'run', job: firstHalf(search.suspects) };
  if (search.cleared.length > 0) return { kind: 'run', job: search.cleared };
  return null;
}

/** The search after the step's job ran (`ok`: it succeeded) or after a blamed item was recorded. */
export function afterIsolationStep<T>(search: IsolationSearch<T>, step: IsolationStep<T>, ok: boolean): IsolationSearch<T> {
  if (step.kind === 'blame') return { suspects: [], cleared: search.cleared, proven: false };
  if (search.suspects.length === 0) {
    // The cleared dates ran as one job: done, or a new search over them.
    return ok ? { suspects: [], cleared: [], proven: false } : startIsolation(search.cleared);
  }
  const rest = search.suspects.slice(step.job.length);
  return ok ? { suspects: rest, cleared: search.cleared, proven: false } : { suspects: step.job, cleared: [...search.cleared, ...rest], proven: true };
}

function firstHalf<T>(items: readonly T[]): readonly T[] {
  return items.slice(0, Math.ceil(items.length / 2));
}
