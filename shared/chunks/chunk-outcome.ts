import type { ChunkRecord, ChunkTransition } from '../ports/ledger.js';
import type { ErrorKind } from '../errors/errors.js';
import type { ExpectedDate } from '../verify/evaluate-dates.js';
import type { IsoDate } from '../util/dates.js';
import type { ResultState } from './chunk-state.js';
import { afterFailure, afterQuota, afterSizeRefusal, type RetryPolicy } from './retry-policy.js';

/**
 * What a job's outcome means for each of its chunks, as pure functions over records: `judge` reads a written
 * date against its contract, `settle` turns a judgement into a checkpoint, `failJob` turns a job's error into
 * checkpoints. The processor only runs the job and applies what these return.
 */

export type ChunkResultState = ResultState;

export interface ChunkResult {
  readonly id: string;
  readonly gameDate: IsoDate;
  readonly state: ChunkResultState;
  readonly rowsWritten?: number;
  readonly rowsFound?: number;
  readonly expectedRows?: number;
  readonly error?: string;
}

/** A chunk's result and the compare-and-set that records it (from running, held by this worker). */
export interface Settled {
  readonly result: ChunkResult;
  readonly transition: ChunkTransition;
}

/** Who records the outcome, and when. */
export interface OutcomeContext {
  readonly workerId: string;
  readonly now: number;
  readonly policy: RetryPolicy;
}

/** A read-back mismatch may be a race with another writer: retried through redelivery. */
export const READ_BACK_PREFIX = 'read back';

/** A written date against its contract: rows read back, short raw data, rows the contract expects. */
export function judge(chunk: Pick<ChunkRecord, 'id' | 'gameDate'>, produced: number, found: number, expectation: ExpectedDate | undefined): ChunkResult {
  const base = { id: chunk.id, gameDate: chunk.gameDate, rowsWritten: produced, rowsFound: found };
  const expectedRows = expectation?.expectedRows ?? 0;
  if (found !== produced) {
    return { ...base, expectedRows, state: 'failed', error: `${READ_BACK_PREFIX} ${found} rows but the write produced ${produced}` };
  }
  if (expectation && expectation.sourceShortGames > 0) {
    return { ...base, expectedRows, state: 'no_source' };
  }
  if (produced !== expectedRows) {
    return { ...base, expectedRows, state: 'failed', error: `transform produced ${produced} rows, the contract expects ${expectedRows}` };
  }
  return { ...base, expectedRows, state: 'succeeded' };
}

/** The checkpoint for a judged chunk: a failure spends an attempt (the policy says when it is dead). */
export function settle(chunk: Pick<ChunkRecord, 'id' | 'attempts'>, judged: ChunkResult, durationMs: number, ctx: OutcomeContext): Settled {
  const rows = { rowsWritten: judged.rowsWritten ?? null, rowsFound: judged.rowsFound ?? null, expectedRows: judged.expectedRows ?? null, durationMs };
  const held = { id: chunk.id, from: ['running'] as const, leaseOwner: ctx.workerId };
  if (judged.state !== 'failed') {
    return {
      result: judged,
      transition: { ...held, to: judged.state, patch: { ...rows, finishedAt: ctx.now, leaseOwner: null, leaseExpiresAt: null, lastError: null, nextAttemptAt: null } },
    };
  }
  const failure = afterFailure(chunk, 'transient', judged.error ?? 'failed', ctx.now, ctx.policy);
  return { result: { ...judged, state: failure.state }, transition: { ...held, to: failure.state, patch: { ...rows, ...failure.patch } } };
}

/**
 * A job that threw, for each of its chunks: a job of several dates refused as too large (`jobTooLarge`, which the
 * processor tells from the refusal, job-size.ts `refusesJobSize`) goes back to pending (`afterSizeRefusal`);
 * other quota backs off without an attempt (until the policy gives up on it); any other error spends one, a
 * permanent error makes the chunk dead at once.
 */
export function failJob(chunks: readonly ChunkRecord[], kind: ErrorKind, message: string, ctx: OutcomeContext, jobTooLarge = false): Settled[] {
  return chunks.map((chunk) => {
    const next = jobTooLarge ? afterSizeRefusal(message)
      : kind === 'quota' ? afterQuota(chunk, message, ctx.now, ctx.policy) : afterFailure(chunk, kind, message, ctx.now, ctx.policy);
    const error = next.patch.lastError ?? message;
    return {
      result: { id: chunk.id, gameDate: chunk.gameDate, state: next.state, error },
      transition: { id: chunk.id, from: ['running'], to: next.state, leaseOwner: ctx.workerId, patch: next.patch },
    };
  });
}

/** A read-back that disagreed with the write: maybe a race with another writer, so worth a redelivery. */
export function isReadBackMismatch(result: ChunkResult): boolean {
  return result.state === 'failed' && (result.error?.startsWith(READ_BACK_PREFIX) ?? false);
}
