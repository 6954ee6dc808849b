import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Runs `work` in one transaction on `connection`: committed when it resolves, rolled back when it throws
 * (the work's error is what the caller sees, never a failed rollback's).
 */
export async function inTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  let result: T;
  try {
    result = await work();
  } catch (error) {
    try {
      await connection.run('ROLLBACK');
    } catch {
      // DuckDB already ended the transaction on some errors; nothing is left to undo.
    }
    throw error;
  }
  await connection.run('COMMIT');
  return result;
}
