import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { UsageError } from './usage-error.js';
import { join, resolve } from 'node:path';
import { DuckDbWarehouse } from '../adapters/duckdb/duckdb-warehouse.js';
import { LocalLedger } from '../adapters/local/local-ledger.js';

export interface LocalStack {
  readonly dataDir: string;
  readonly warehouse: DuckDbWarehouse;
  readonly ledger: LocalLedger;
  close(): Promise<void>;
}

export const WAREHOUSE_FILE = 'warehouse.duckdb';
export const LEDGER_FILE = 'ledger.duckdb';

/** The embedded warehouse and checkpoints of one data dir. */
export async function openLocalStack(dataDir: string, options: { mustExist?: boolean } = {}): Promise<LocalStack> {
  const dir = resolve(dataDir);
  if (options.mustExist && !existsSync(join(dir, WAREHOUSE_FILE))) {
    throw new UsageError(`no local warehouse in ${dir}: load raw data first (backfill load-raw <dir>) or pass --data-dir`);
  }
  await mkdir(dir, { recursive: true });
  const warehouse = await DuckDbWarehouse.open({ path: join(dir, WAREHOUSE_FILE) });
  let ledger: LocalLedger;
  try {
    ledger = await LocalLedger.open({ path: join(dir, LEDGER_FILE) });
  } catch (error) {
    await warehouse.close();
    throw error;
  }
  return {
    dataDir: dir,
    warehouse,
    ledger,
    async close() {
      await ledger.close();
      await warehouse.close();
    },
  };
}
