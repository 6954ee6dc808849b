import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { LocalAlertStore } from '../../../adapters/local/local-alert-store.js';
import { LocalLedger } from '../../../adapters/local/local-ledger.js';
import { asStorageFault, StorageFaultError, storageFaultOf, type StorageFault } from '../../../shared/errors/storage-fault.js';
import { TransientError } from '../../../shared/errors/errors.js';
import { tempDir } from '../../support/duckdb-fixtures.js';
import { DATABASE_HEADER_OFFSET, damage } from '../../support/damage.js';

type Opener = (path: string) => Promise<{ close(): Promise<void> }>;
const OPENERS: Array<[string, Opener]> = [
  ['the DuckDB warehouse', (path) => DuckDbWarehouse.open({ path })],
  ['the DuckDB warehouse, read-only', (path) => DuckDbWarehouse.open({ path, readOnly: true })],
  ['the local ledger', (path) => LocalLedger.open({ path })],
  ['the local ledger, read-only', (path) => LocalLedger.open({ path, readOnly: true })],
  ['the local alert store', (path) => LocalAlertStore.open({ path })],
];

describe('storage faults: one mapper for every DuckDB file', function () {
  this.timeout(60_000);
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => { dir = await tempDir('storage-fault-'); });
  afterEach(async () => dir.remove());

  for (const [name, open] of OPENERS) {
    it(`calls ${name} damaged, not in use, when its bytes were overwritten (checksum or header)`, async function () {
      const seed = join(dir.path, 'seed.duckdb');
      // A real file of this adapter, made by its writable open (a read-only open needs one to exist).
      const writable = OPENERS.find(([n]) => n === name.replace(', read-only', ''))?.[1] ?? open;
      await (await writable(seed)).close();
      for (const [offset, detail] of [[DATABASE_HEADER_OFFSET, /Corrupt database file: computed checksum .* does not match stored checksum/], [0, /is not a valid DuckDB database file/]] as const) {
        const copy = join(dir.path, `damaged-${offset}.duckdb`);
        copyFileSync(seed, copy);
        damage(copy, offset);
        await assert.rejects(open(copy), (error: unknown) =>
          error instanceof StorageFaultError && error.fault === 'damaged' && error.path === copy && detail.test(error.detail)
          && !/in use|Could not set lock/i.test(error.message));
      }
    });
  }

  it('reads the fault from DuckDB\'s and Node\'s own errors, through causes', function () {
    const cases: Array<[unknown, StorageFault | undefined]> = [
      [new Error('IO Error: Could not set lock on file "/d/ledger.duckdb": Conflicting lock is held in /usr/bin/node (PID 12)'), 'in_use'],
      [new Error('IO Error: Corrupt database file: computed checksum 1 does not match stored checksum 2 in block at location 8192'), 'damaged'],
      // The lock matcher once matched "b*lock*" in this one and called a damaged file "in use".
      [new Error('IO Error: Corrupt database file: computed checksum 3 does not match stored checksum 4 in block at location 262144'), 'damaged'],
      [new Error('TransactionContext Error: Failed to commit: Could not write file "/d/warehouse.duckdb.wal": No space left on device'), 'disk_full'],
      [Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 'disk_full'],
      [new Error('FATAL Error: Failed: database has been invalidated because of a previous fatal error.'), 'io'],
      [Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' }), 'io'],
      [new Error('wrapped', { cause: new Error('IO Error: Could not write file "x": No space left on device') }), 'disk_full'],
      [new Error('Binder Error: Referenced column "x" not found'), undefined],
      [new Error('TransactionContext Error: Catalog write-write conflict on alter with "t"'), undefined],
    ];
    for (const [error, fault] of cases) assert.equal(storageFaultOf(error), fault, String((error as Error).message));
  });

  it('names the file and keeps the engine\'s words, and is transient for a chunk (free the space and the work succeeds)', function () {
    const fault = asStorageFault(new Error('IO Error: Could not write file "/d/w.wal": No space left on device\nmore'), '/d/w.duckdb');
    assert.ok(fault instanceof StorageFaultError && fault instanceof TransientError);
    assert.equal(fault.message, '/d/w.duckdb: the disk is full (IO Error: Could not write file "/d/w.wal": No space left on device)');
    assert.equal(asStorageFault(new Error('Parser Error: syntax error'), '/d/w.duckdb'), undefined);
  });
});
