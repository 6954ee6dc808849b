import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { UsageError } from './usage-error.js';
import { join, resolve } from 'node:path';
import { DuckDbWarehouse } from '../adapters/duckdb/duckdb-warehouse.js';
import { LocalLedger } from '../adapters/local/local-ledger.js';
import { LocalAlertStore } from '../adapters/local/local-alert-store.js';

export interface LocalStack {
  readonly dataDir: string;
  readonly warehouse: DuckDbWarehouse;
  readonly ledger: LocalLedger;
  /** The verification history (`alerts.duckdb`, the store the functions use with LEDGER=local). */
  readonly history: LocalAlertStore;
  close(): Promise<void>;
}

export const WAREHOUSE_FILE = 'warehouse.duckdb';
export const LEDGER_FILE = 'ledger.duckdb';
export const HISTORY_FILE = 'alerts.duckdb';

/** The embedded warehouse and checkpoints of one data dir. */
export async function openLocalStack(dataDir: string, options: { mustExist?: boolean } = {}): Promise<LocalStack> {
  const dir = resolve(dataDir);
  if (options.mustExist && !existsSync(join(dir, WAREHOUSE_FILE))) {
    throw new UsageError(`no local warehouse in ${dir}: load raw data first (backfill load-raw <dir>) or pass --data-dir`);
  }
  await mkdir(dir, { recursive: true });
  const warehouse = await DuckDbWarehouse.open({ path: join(dir, WAREHOUSE_FILE) });
  let ledger: LocalLedger | undefined;
  let history: LocalAlertStore;
  try {
    ledger = await LocalLedger.open({ path: join(dir, LEDGER_FILE) });
    history = await LocalAlertStore.open({ path: join(dir, HISTORY_FILE) });
  } catch (error) {
    await ledger?.close();
    await warehouse.close();
    throw error;
  }
  const openLedger = ledger;
  return {
    dataDir: dir,
    warehouse,
    ledger: openLedger,
    history,
    async close() {
      await history.close();
      await openLedger.close();
      await warehouse.close();
    },
  };
}
