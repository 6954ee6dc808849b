import { PermanentError, QuotaError, TransientError } from '../../shared/errors/errors.js';
import { toServiceError } from '../../shared/errors/classify.js';

/** Another process holds the DuckDB file: one data dir serves one backfill process at a time. */
export class DataDirInUseError extends PermanentError {
  override readonly name = 'DataDirInUseError';
}

const LOCK_CONFLICT = /Could not set lock on file/i;
/** DuckDB's optimistic concurrency control: two transactions wrote the same rows or catalog entry. */
const TRANSACTION_CONFLICT = /TransactionContext Error|write-write conflict|Conflict on tuple deletion/i;

export function openError(error: unknown, path: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (LOCK_CONFLICT.test(message)) {
    return new DataDirInUseError(
      `the data dir is in use by another backfill process: ${path} is locked (${message}). ` +
      'Wait for that process to finish, or use another data dir.',
      { cause: error },
    );
  }
  return toServiceError(error, `cannot open the DuckDB warehouse at ${path}`);
}

/** A DuckDB failure as one of the service's error classes; conflicts are always worth a retry. */
export function queryError(error: unknown, context: string): PermanentError | TransientError | QuotaError {
  if (error instanceof PermanentError || error instanceof TransientError || error instanceof QuotaError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (TRANSACTION_CONFLICT.test(message)) return new TransientError(`${context}: ${message}`, { cause: error });
  return toServiceError(error, context);
}
