import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataDirInUseError } from '../../../shared/errors/storage-fault.js';
import { AlertStoreClosedError, LocalAlertStore } from '../../../adapters/local/local-alert-store.js';
import { alertStoreConformance, testAlert } from '../../ports/alert-store-conformance.js';

alertStoreConformance('LocalAlertStore in memory', async () => {
  const store = await LocalAlertStore.open({ path: ':memory:' });
  return { store, dispose: () => store.close() };
});

alertStoreConformance('LocalAlertStore in a DuckDB file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'local-alert-store-'));
  const path = join(dir, 'data', 'alerts.duckdb');
  let store = await LocalAlertStore.open({ path });
  return {
    get store() {
      return store;
    },
    reopen: async () => {
      await store.close();
      store = await LocalAlertStore.open({ path });
      return store;
    },
    dispose: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}, { reopens: true });

describe('LocalAlertStore', () => {
  it('rejects calls once closed', async () => {
    const store = await LocalAlertStore.open({ path: ':memory:' });
    await store.close();
    await assert.rejects(store.putAlert(testAlert('00000000000000aa'), null), AlertStoreClosedError);
  });

  it('finishes the calls under way before it closes', async () => {
    const store = await LocalAlertStore.open({ path: ':memory:' });
    const put = store.putAlert(testAlert('00000000000000aa'), null);
    await store.close();
    assert.equal((await put)?.revision, 1);
  });

  it('says another process has the file when its lock is taken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-alert-store-'));
    const path = join(dir, 'alerts.duckdb');
    const adapter = fileURLToPath(new URL('../../../adapters/local/local-alert-store.js', import.meta.url));
    // A second process holds the file open until we have tried.
    const holder = execFile(process.execPath, ['--input-type=module', '-e',
      `import { LocalAlertStore } from ${JSON.stringify(adapter)}; await LocalAlertStore.open({ path: ${JSON.stringify(path)} }); console.log('open'); setTimeout(() => {}, 30000);`]);
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.on('data', (chunk: Buffer) => { if (chunk.toString().includes('open')) resolve(); });
        holder.once('exit', (code) => reject(new Error(`the holder exited with ${String(code)}`)));
      });
      await assert.rejects(LocalAlertStore.open({ path }), (error: unknown) => error instanceof DataDirInUseError && error.fault === 'in_use' && error.path === path);
    } finally {
      holder.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
