/**
 * The two kinds of failure, plus quota, decided in one place (see classify.ts):
 * - permanent: retrying cannot help (bad message, unknown table, schema mismatch). Record, log, acknowledge.
 * - transient: retrying may help (timeout, contention, unavailable). Throw so Pub/Sub redelivers.
 * - quota: the engine asked us to slow down (rateLimitExceeded, too many concurrent DML). Back off;
 *   counted apart from real failures so a busy day does not kill chunks.
 */
export const ERROR_KINDS = ['permanent', 'transient', 'quota'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
  readonly kind: ErrorKind = 'permanent';
}
export class TransientError extends Error {
  override readonly name: string = 'TransientError';
  readonly kind: ErrorKind = 'transient';
}
export class QuotaError extends Error {
  override readonly name: string = 'QuotaError';
  readonly kind: ErrorKind = 'quota';
}

/** The warehouse holds something other than what was written (read-back mismatch): retry, it may be a race. */
export class ReadBackMismatchError extends TransientError {
  override readonly name = 'ReadBackMismatchError';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
