import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { asStorageFault } from '../../shared/errors/storage-fault.js';

export interface DuckDbFileOptions {
  readonly readOnly?: boolean;
  /** Idempotent statements that create the file's tables (run unless the open is read-only). */
  readonly schema: readonly string[];
}

export interface OpenedDuckDbFile {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  /** Read-only and backed by a file (a read-only open of a missing file is an empty in-memory one). */
  readonly readOnly: boolean;
}

/**
 * Open (creating it and its folder if missing) one of the local adapters' DuckDB files (the ledger, the
 * alert store); ':memory:' keeps it in memory. A read-only open writes nothing (DuckDB's READ_ONLY access
 * mode), so it works on a full disk, and a file that does not exist yet reads as empty. Every failure is
 * the storage fault it is (in use, damaged, disk full), naming the file.
 */
export async function openDuckDbFile<T>(path: string, options: DuckDbFileOptions & {
  /** Reads the schema version and builds what the caller keeps; an error closes the file and is thrown. */
  readonly ready: (opened: OpenedDuckDbFile) => Promise<T>;
}): Promise<T> {
  const readOnly = options.readOnly === true && path !== ':memory:';
  const stored = readOnly && !existsSync(path) ? ':memory:' : path;
  if (!readOnly && path !== ':memory:') await mkdir(dirname(path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(stored, readOnly && stored !== ':memory:' ? { access_mode: 'READ_ONLY' } : {});
  } catch (error) {
    throw asStorageFault(error, path) ?? error;
  }
  const connection = await instance.connect();
  try {
    if (!readOnly || stored === ':memory:') for (const sql of options.schema) await connection.run(sql);
    return await options.ready({ instance, connection, readOnly });
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw asStorageFault(error, path) ?? error;
  }
}
