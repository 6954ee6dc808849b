import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A cold start of the functions as deployed: a fresh Node process imports the functions entry
 * (dist/functions/index.js, package.json `main`) and builds its service from the env, then reports
 * what it loaded. The DuckDB adapters must stay out of a process configured for BigQuery and
 * Firestore: @duckdb/node-api pulls a ~70 MB native library (dlopen), which every cold start would pay.
 */

const ENTRY = fileURLToPath(new URL('../../functions/index.js', import.meta.url));

/** Runs in the child: import, build the service, print what got loaded. */
const PROBE = `
import { createRequire } from 'node:module';
const entry = await import(process.env.PROBE_ENTRY);
const { getService } = await import(new URL('./service.js', 'file://' + process.env.PROBE_ENTRY).href);
if (typeof entry.processChunk !== 'function') throw new Error('the entry does not export processChunk');
const service = await getService();
const require = createRequire(import.meta.url);
const modules = Object.keys(require.cache).filter((m) => m.includes('@duckdb'));
const libraries = (process.report.getReport().sharedObjects ?? []).filter((o) => /duckdb/i.test(o));
process.stdout.write(JSON.stringify({ warehouse: service.config.warehouse, ledger: service.config.ledger, modules, libraries }));
process.exit(0);
`;

interface ProbeResult {
  readonly warehouse: string;
  readonly ledger: string;
  readonly modules: string[];
  readonly libraries: string[];
}

function probe(env: Record<string, string>): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', PROBE], {
      env: {
        PATH: process.env.PATH ?? '',
        GCE_METADATA_HOST: '127.0.0.1:1',
        METADATA_SERVER_DETECTION: 'none',
        PROBE_ENTRY: ENTRY,
        LOG_LEVEL: 'error',
        ...env,
      },
      timeout: 60_000,
    }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the cold-start probe failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as ProbeResult);
    });
  });
}

describe('functions cold start', function () {
  this.timeout(120_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cold-start-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads no DuckDB module and no DuckDB native library with WAREHOUSE=bigquery and LEDGER=firestore', async () => {
    const result = await probe({ WAREHOUSE: 'bigquery', LEDGER: 'firestore', GOOGLE_CLOUD_PROJECT: 'demo-cold-start' });
    assert.equal(result.warehouse, 'bigquery');
    assert.equal(result.ledger, 'firestore');
    assert.deepEqual(result.modules, [], `DuckDB modules loaded: ${result.modules.join(', ')}`);
    assert.deepEqual(result.libraries, [], `DuckDB libraries loaded: ${result.libraries.join(', ')}`);
  });

  it('does load DuckDB when the config asks for it (the probe sees a loaded library)', async () => {
    const result = await probe({ WAREHOUSE: 'duckdb', LEDGER: 'local', BACKFILL_DATA_DIR: dir });
    assert.equal(result.warehouse, 'duckdb');
    assert.ok(result.modules.some((m) => m.includes('@duckdb/node-api')), `modules: ${result.modules.join(', ')}`);
    assert.ok(result.libraries.some((l) => l.endsWith('.node')), `libraries: ${result.libraries.join(', ')}`);
  });
});
