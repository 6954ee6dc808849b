import { existsSync } from 'node:fs';
import { makeDirectory } from './make-directory.js';
import { availableParallelism } from 'node:os';
import { UsageError } from './usage-error.js';
import { join, resolve } from 'node:path';
import { DuckDbWarehouse } from '../adapters/duckdb/duckdb-warehouse.js';
import { LocalLedger } from '../adapters/local/local-ledger.js';
import { LocalAlertStore } from '../adapters/local/local-alert-store.js';
import { StorageFaultError } from '../shared/errors/storage-fault.js';

export interface LocalStack {
  readonly dataDir: string;
  readonly warehouse: DuckDbWarehouse;
  readonly ledger: LocalLedger;
  /** The verification history (`alerts.duckdb`, the store the functions use with LEDGER=local). */
  readonly history: LocalAlertStore;
  /**
   * Files a reading command could not open (damaged, unreadable): an empty stand-in takes their place,
   * and the command says so. Always empty for `access: 'write'`, which fails instead.
   */
  readonly unavailable: { readonly ledger?: StorageFaultError; readonly history?: StorageFaultError };
  close(): Promise<void>;
}

export const WAREHOUSE_FILE = 'warehouse.duckdb';
export const LEDGER_FILE = 'ledger.duckdb';
export const HISTORY_FILE = 'alerts.duckdb';

/**
 * - write (run, load-raw, demo): every file read-write; any failure is the command's.
 * - read (status): every file read-only (DuckDB's READ_ONLY), so it works on a full disk.
 * - verify: the warehouse and ledger read-only, the history read-write (a verification is recorded)
 *   but optional, like the ledger: the report comes from the warehouse.
 */
export type StackAccess = 'write' | 'read' | 'verify';

/**
 * The embedded warehouse and checkpoints of one data dir. Opened by the CLI, the only process that can
 * drive its runs (it holds the files' locks): runs recorded active are shown interrupted.
 */
export async function openLocalStack(dataDir: string, options: { mustExist?: boolean; access?: StackAccess } = {}): Promise<LocalStack> {
  const dir = resolve(dataDir);
  const access = options.access ?? 'write';
  if ((options.mustExist || access !== 'write') && !existsSync(join(dir, WAREHOUSE_FILE))) {
    throw new UsageError(`no local warehouse in ${dir}: load raw data first (backfill load-raw <dir>) or pass --data-dir`);
  }
  if (access === 'write') await makeDirectory(dir);
  const reading = access !== 'write';
  // Every core for DuckDB: a local job writes a table's whole range in one statement, so the critical path
  // (player_game_summary, then upcoming_player_game_context) is one query at a time, which runs on as many
  // threads as it is given. `npm run bench` on 2 cores: backfill 22.4 s with 1 thread, 13.4 s with 2.
  const warehouse = await DuckDbWarehouse.open({ path: join(dir, WAREHOUSE_FILE), readOnly: reading, threads: availableParallelism() });
  const opened: Array<{ close(): Promise<void> }> = [warehouse];
  const unavailable: { ledger?: StorageFaultError; history?: StorageFaultError } = {};
  /** A reading command goes on without a file it cannot read; the stand-in is empty and in memory. */
  const optional = async <T>(open: (path: string) => Promise<T>, path: string, note: (fault: StorageFaultError) => void, inUseToo = false): Promise<T> => {
    try {
      return await open(path);
    } catch (error) {
      if (!reading || !(error instanceof StorageFaultError) || (error.fault === 'in_use' && !inUseToo)) throw error;
      note(error);
      return open(':memory:');
    }
  };
  try {
    const ledger = await optional((path) => LocalLedger.open({ path, readOnly: reading, interruptOrphans: true }), join(dir, LEDGER_FILE), (f) => { unavailable.ledger = f; });
    opened.unshift(ledger);
    // The history in use is another `verify` recording (the ledger in use would be a run: that one fails).
    const history = await optional((path) => LocalAlertStore.open({ path, readOnly: access === 'read' }), join(dir, HISTORY_FILE), (f) => { unavailable.history = f; }, true);
    opened.unshift(history);
    let closing: Promise<void> | undefined;
    return {
      dataDir: dir,
      warehouse,
      ledger,
      history,
      unavailable,
      close: () => (closing ??= closeAll(opened, access)),
    };
  } catch (error) {
    await Promise.allSettled(opened.map((o) => o.close()));
    throw error;
  }
}

/** In order; every file is closed even when one fails. A reading command's optional history may fail to close (a full disk): what it holds is not the command's answer. */
async function closeAll(opened: ReadonlyArray<{ close(): Promise<void> }>, access: StackAccess): Promise<void> {
  let failure: Error | undefined;
  for (const [i, file] of opened.entries()) {
    try {
      await file.close();
    } catch (error) {
      const optionalHistory = access === 'verify' && i === 0;
      if (!optionalHistory) failure ??= error instanceof Error ? error : new Error('closing the data dir failed', { cause: error });
    }
  }
  if (failure) throw failure;
}
