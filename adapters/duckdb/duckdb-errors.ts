import { PermanentError, QuotaError, TransientError } from '../../shared/errors/errors.js';
import { toServiceError } from '../../shared/errors/classify.js';
import { asStorageFault, DataDirInUseError, StorageFaultError } from '../../shared/errors/storage-fault.js';

export { DataDirInUseError, StorageFaultError };

/** DuckDB's optimistic concurrency control: two transactions wrote the same rows or catalog entry. */
const TRANSACTION_CONFLICT = /TransactionContext Error|write-write conflict|Conflict on tuple deletion/i;

/** Opening a DuckDB file failed: locked, damaged, full disk or I/O (shared/errors/storage-fault.ts), else classified. */
export function openError(error: unknown, path: string): Error {
  return asStorageFault(error, path) ?? toServiceError(error, `cannot open the DuckDB database at ${path}`);
}

/**
 * A DuckDB failure as one of the service's error classes; conflicts are always worth a retry. With the
 * file's path, a failure of the machine (disk full, damaged, I/O) is a StorageFaultError naming it.
 */
export function queryError(error: unknown, context: string, path?: string): PermanentError | TransientError | QuotaError {
  if (error instanceof PermanentError || error instanceof TransientError || error instanceof QuotaError) return error;
  const fault = path === undefined || path === ':memory:' ? undefined : asStorageFault(error, path);
  if (fault) return fault;
  const message = error instanceof Error ? error.message : String(error);
  if (TRANSACTION_CONFLICT.test(message)) return new TransientError(`${context}: ${message}`, { cause: error });
  return toServiceError(error, context);
}
