import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalLedger } from '../../../adapters/local/local-ledger.js';
import { LedgerFile } from '../../../adapters/local/ledger-file.js';
import { chunkId } from '../../../shared/planning/ids.js';
import { addDaysIso } from '../../../shared/util/dates.js';
import type { Clock } from '../../../shared/ports/clock.js';
import { ledgerConformance, testChunks, testRun, T0 } from '../../ports/ledger-conformance.js';

const adapterModule = fileURLToPath(new URL('../../../adapters/local/local-ledger.js', import.meta.url));

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'local-ledger-'));
}

/** Run a script in another node process that has `LocalLedger` in scope; resolves with its stdout. */
function inChildProcess(body: string): Promise<{ stdout: string; code: number | null; signal: string | null }> {
  const script = `import { LocalLedger } from ${JSON.stringify(adapterModule)};\n${body}`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }, (error, stdout) => {
      const failure = error as (Error & { code?: number; signal?: string }) | null;
      resolve({ stdout, code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0, signal: failure?.signal ?? null });
    });
  });
}

async function countVersions(path: string): Promise<number> {
  const instance = await DuckDBInstance.create(path);
  try {
    const connection = await instance.connect();
    const rows = (await connection.runAndReadAll('SELECT count(*)::INTEGER FROM record_versions')).getRowsJS();
    connection.closeSync();
    return Number(rows[0]?.[0]);
  } finally {
    instance.closeSync();
  }
}

ledgerConformance('LocalLedger in memory', async (clock) => {
  const ledger = await LocalLedger.open({ path: ':memory:', clock });
  return { ledger, dispose: () => ledger.close() };
}, { durable: false });

ledgerConformance('LocalLedger in a DuckDB file', async (clock) => {
  const dir = await tempDir();
  const path = join(dir, 'data', 'ledger.duckdb');
  let ledger = await LocalLedger.open({ path, clock });
  return {
    get ledger() {
      return ledger;
    },
    reopen: async () => {
      await ledger.close();
      ledger = await LocalLedger.open({ path, clock });
      return ledger;
    },
    dispose: async () => {
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('LocalLedger', function () {
  let dir: string;
  let path: string;
  let now: number;
  const clock: Clock = { now: () => now };

  beforeEach(async function () {
    dir = await tempDir();
    path = join(dir, 'ledger.duckdb');
    now = T0;
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the latest change of a chunk changed again after a reopen', async function () {
    const id = chunkId('player_game_summary', '2024-01-01', 'production');
    let ledger = await LocalLedger.open({ path, clock });
    await ledger.createRun(testRun('run-a'), testChunks('player_game_summary', '2024-01-01', '2024-01-02'));
    await ledger.transition([{ id, from: ['pending'], to: 'queued' }]);
    await ledger.close();

    ledger = await LocalLedger.open({ path, clock });
    await ledger.transition([{ id, from: ['queued'], to: 'running', patch: { leaseOwner: 'worker-1' } }]);
    await ledger.close();

    ledger = await LocalLedger.open({ path, clock });
    const [chunk] = await ledger.getChunks([id]);
    await ledger.close();
    assert.equal(chunk?.state, 'running');
    assert.equal(chunk?.leaseOwner, 'worker-1');
  });

  it('loses nothing a resolved call wrote when the process is killed right after', async function () {
    const child = await inChildProcess(`
      const ledger = await LocalLedger.open({ path: ${JSON.stringify(path)} });
      await ledger.createRun(${JSON.stringify(testRun('run-a'))}, ${JSON.stringify(testChunks('player_game_summary', '2024-01-01', '2024-01-31'))});
      await ledger.transition([{ id: ${JSON.stringify(chunkId('player_game_summary', '2024-01-05', 'production'))}, from: ['pending'], to: 'succeeded', patch: { rowsWritten: 11 } }]);
      process.stdout.write('written');
      process.kill(process.pid, 'SIGKILL');
    `);
    assert.equal(child.stdout, 'written');
    assert.equal(child.signal, 'SIGKILL');

    const ledger = await LocalLedger.open({ path, clock });
    try {
      assert.equal((await ledger.listChunks({ runId: 'run-a' })).length, 31);
      const [chunk] = await ledger.getChunks([chunkId('player_game_summary', '2024-01-05', 'production')]);
      assert.equal(chunk?.state, 'succeeded');
      assert.equal(chunk?.rowsWritten, 11);
    } finally {
      await ledger.close();
    }
  });

  it('tells a second process that the ledger file is in use', async function () {
    const ledger = await LocalLedger.open({ path, clock });
    try {
      const child = await inChildProcess(`
        try { await LocalLedger.open({ path: ${JSON.stringify(path)} }); process.stdout.write('opened'); }
        catch (error) { process.stdout.write(error.name + ': ' + error.message); }
      `);
      assert.ok(child.stdout.startsWith(`DataDirInUseError: ${path}: in use by another process (`), child.stdout);
      assert.match(child.stdout, /Could not set lock on file/);
    } finally {
      await ledger.close();
    }
  });

  it('compacts its log to the latest version of each record once it holds many versions per record', async function () {
    const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-10');
    const ledger = await LocalLedger.open({ path, clock, compaction: { minVersions: 50, ratio: 4 } });
    await ledger.createRun(testRun('run-a'), chunks);
    for (let round = 0; round < 6; round += 1) {
      const [from, to] = round % 2 === 0 ? (['pending', 'queued'] as const) : (['queued', 'pending'] as const);
      await ledger.transition(chunks.map((c) => ({ id: c.id, from: [from], to, patch: { attempts: round } })));
    }
    const before = await ledger.listChunks({});
    await ledger.close();

    // 11 records and 71 versions written: compacted once past 50, then 11 + 10 + 10 versions.
    assert.ok((await countVersions(path)) <= 31, 'the log was compacted');
    const reopened = await LocalLedger.open({ path, clock });
    try {
      assert.deepEqual(await reopened.listChunks({}), before);
      assert.ok(before.every((c) => c.state === 'pending' && c.attempts === 5));
    } finally {
      await reopened.close();
    }
  });

  it('shows the latest records as columns in the runs and chunks views of the file', async function () {
    const ledger = await LocalLedger.open({ path, clock });
    await ledger.createRun(testRun('run-a', { chunkCount: 2 }), testChunks('player_game_summary', '2024-01-01', '2024-01-02'));
    await ledger.transition([{ id: chunkId('player_game_summary', '2024-01-02', 'production'), from: ['pending'], to: 'failed', patch: { attempts: 1, lastError: 'boom' } }]);
    await ledger.close();

    const instance = await DuckDBInstance.create(path);
    try {
      const connection = await instance.connect();
      const chunks = (await connection.runAndReadAll(`SELECT id, state, attempts, last_error, run_ids FROM chunks ORDER BY id`)).getRowObjectsJS();
      const runs = (await connection.runAndReadAll(`SELECT id, state, chunk_count FROM runs`)).getRowObjectsJS();
      connection.closeSync();
      assert.deepEqual(chunks, [
        { id: chunkId('player_game_summary', '2024-01-01', 'production'), state: 'pending', attempts: 0, last_error: null, run_ids: ['run-a'] },
        { id: chunkId('player_game_summary', '2024-01-02', 'production'), state: 'failed', attempts: 1, last_error: 'boom', run_ids: ['run-a'] },
      ]);
      assert.deepEqual(runs, [{ id: 'run-a', state: 'active', chunk_count: 2 }]);
    } finally {
      instance.closeSync();
    }
  });

  // How fast: `npm run bench:ledger` prints it (a benchmark, not a timed test).
  it('appends each batch of versions whole and in order, ids with a line break or quotes included, across a reopen', async function () {
    const file = await LedgerFile.open(path);
    const many = Array.from({ length: 2000 }, (_, i) => ({ kind: 'chunk' as const, id: `c${i}`, doc: { n: i, text: 'a "quoted"\nline\\ and \u2028' } }));
    // c5 twice in one batch: the later one is its latest.
    await file.append([...many, { kind: 'chunk', id: 'c5', doc: { n: -5 } }]);
    // One id with a line break: the batch takes the list path, and its versions still land in order.
    await file.append([{ kind: 'chunk', id: 'c1', doc: { n: -1 } }, { kind: 'run', id: 'odd\nid', doc: { n: 0 } }, { kind: 'chunk', id: 'c1', doc: { n: -2 } }]);
    await file.append([{ kind: 'chunk', id: 'c2', doc: { n: -3 } }]);
    assert.equal(file.versionCount, 2005);
    await file.close();

    const reopened = await LedgerFile.open(path);
    const latest = new Map((await reopened.load()).map((r) => [`${r.kind}/${r.id}`, r.doc]));
    assert.equal(reopened.versionCount, 2005);
    await reopened.close();
    assert.equal(latest.size, 2001);
    assert.deepEqual(latest.get('chunk/c0'), { n: 0, text: 'a "quoted"\nline\\ and \u2028' });
    assert.deepEqual(latest.get('chunk/c1999'), many[1999]?.doc);
    assert.deepEqual(latest.get('chunk/c1'), { n: -2 });
    assert.deepEqual(latest.get('chunk/c2'), { n: -3 });
    assert.deepEqual(latest.get('chunk/c5'), { n: -5 });
    assert.deepEqual(latest.get('run/odd\nid'), { n: 0 });
  });

  it('creates a run of 8,250 chunks, the seed range, and moves every one of them in 31-chunk checkpoints', async function () {
    this.timeout(120_000);
    const tables = ['player_game_summary', 'team_offense_game_summary', 'team_defense_game_summary', 'upcoming_team_game_context', 'upcoming_player_game_context'] as const;
    const chunks = tables.flatMap((table) => testChunks(table, '2016-10-01', addDaysIso('2016-10-01', 1649)));
    assert.equal(chunks.length, 8250);
    const ledger = await LocalLedger.open({ path, clock });
    try {
      const created = await ledger.createRun(testRun('run-big', { chunkCount: chunks.length }), chunks);
      assert.equal(created.chunksAdded, 8250);
      let moved = 0;
      for (let i = 0; i < chunks.length; i += 31) {
        const batch = chunks.slice(i, i + 31);
        const done = await ledger.transition(batch.map((c) => ({ id: c.id, from: ['pending'], to: 'queued', patch: { queuedAt: now } })));
        assert.deepEqual(done.map((c) => c.id).sort(), batch.map((c) => c.id).sort());
        moved += done.length;
      }
      assert.equal(moved, 8250);
      const states = await ledger.listChunks({ runId: 'run-big' });
      assert.equal(states.length, 8250);
      assert.ok(states.every((c) => c.state === 'queued' && c.queuedAt === now));
    } finally {
      await ledger.close();
    }
  });
});
