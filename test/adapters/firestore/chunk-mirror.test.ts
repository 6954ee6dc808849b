import assert from 'node:assert/strict';
import { ChunkMirror, isMirrored, type MirroredChunk, type MirrorRead, type MirrorSource } from '../../../adapters/firestore/chunk-mirror.js';
import { CHUNK_STATES, type ChunkState } from '../../../shared/chunks/chunk-state.js';
import { compareChunkIds, newChunkRecord } from '../../../shared/ledger/ledger-records.js';
import type { ChunkQuery, ChunkRecord } from '../../../shared/ports/ledger.js';
import { testChunks, T0 } from '../../ports/ledger-conformance.js';

/**
 * A store of chunks with the time each last changed, read the way the Firestore ledger reads it: a query returns
 * its chunks and a read time; a delta returns every chunk changed at or after a time. It counts what it serves.
 */
class FakeStore implements MirrorSource {
  time = T0;
  readonly chunks = new Map<string, { chunk: ChunkRecord; changedAt: number; version: string; by: string; revision: number }>();
  /** The margin window's summary and read, as the Firestore ledger offers them; only when asked (`withWindow`). */
  window?: MirrorSource['window'];
  private writes = 0;
  served = { delta: 0, whole: 0, deltaCalls: 0, wholeCalls: 0, window: 0, summaries: 0 };
  inFlight = 0;
  maxInFlight = 0;
  /** Makes each read wait this many real milliseconds (to overlap calls). */
  delayMs = 0;

  now(): number {
    return this.time;
  }

  /** `by`: the ledger instance that writes; the delta leaves out the chunks last changed by 'self' (changedBy). */
  put(chunk: ChunkRecord, changedAt = this.time, by = 'other'): void {
    this.writes += 1;
    const revision = (this.chunks.get(chunk.id)?.revision ?? 0) + 1;
    this.chunks.set(chunk.id, { chunk, changedAt, version: String(this.writes).padStart(9, '0'), by, revision });
  }

  withWindow(): this {
    const others = (from: number, to: number) => [...this.chunks.values()].filter((e) => e.changedAt >= from && e.changedAt < to && e.by !== 'self');
    this.window = {
      writer: 'self',
      changedBetween: (from, to) => this.enter(() => {
        const chunks = others(from, to).map((e) => this.entry(e.chunk.id));
        this.served.window += chunks.length;
        return { chunks, readTimeMs: this.time };
      }),
      summarize: (from, to) => this.enter(() => {
        this.served.summaries += 1;
        const inWindow = others(from, to);
        return { count: inWindow.length, revisions: inWindow.reduce((n, e) => n + e.revision, 0) };
      }),
    };
    return this;
  }

  entry(id: string): MirroredChunk {
    const e = this.chunks.get(id);
    if (!e) throw new Error(`no chunk ${id}`);
    return { chunk: e.chunk, version: e.version, stamp: { changedAtMs: e.changedAt, changedBy: e.by, revision: e.revision } };
  }

  set(id: string, patch: Partial<ChunkRecord>, changedAt = this.time, by = 'other'): void {
    const entry = this.chunks.get(id);
    if (!entry) throw new Error(`no chunk ${id}`);
    this.put({ ...entry.chunk, ...patch }, changedAt, by);
  }

  direct(query: ChunkQuery): ChunkRecord[] {
    return [...this.chunks.values()].map((e) => e.chunk)
      .filter((c) => (query.runId === undefined || c.runIds.includes(query.runId)) && (query.states === undefined || query.states.includes(c.state)))
      .sort(compareChunkIds);
  }

  /** A read's snapshot is taken when it starts; its answer arrives after delayMs. */
  private async enter<T>(work: () => T): Promise<T> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const result = work();
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    this.inFlight -= 1;
    return result;
  }

  changedSince(ms: number): Promise<MirrorRead> {
    return this.enter(() => {
      const chunks = [...this.chunks.values()].filter((e) => e.changedAt >= ms && e.by !== 'self').map((e) => this.entry(e.chunk.id));
      this.served.delta += chunks.length;
      this.served.deltaCalls += 1;
      return { chunks, readTimeMs: this.time };
    });
  }

  read(query: ChunkQuery): Promise<MirrorRead> {
    return this.enter(() => {
      const chunks = this.direct(query).map((c) => this.entry(c.id));
      this.served.whole += chunks.length;
      this.served.wholeCalls += 1;
      return { chunks, readTimeMs: this.time };
    });
  }
}

const NOT_DONE: ChunkState[] = ['pending', 'queued', 'running', 'failed', 'dead'];
const OPTIONS = { marginMs: 0, reloadEveryMs: 300_000, maxChunks: 50_000 };

function storeWith(days: number): { store: FakeStore; ids: string[] } {
  const store = new FakeStore();
  const chunks = testChunks('player_game_summary', '2024-01-01', `2024-01-${String(days).padStart(2, '0')}`);
  for (const c of chunks) store.put(newChunkRecord(c, 'run-a', T0), T0 - 1);
  return { store, ids: chunks.map((c) => c.id) };
}

describe('the Firestore ledger\'s listing copy (ChunkMirror)', function () {
  it('keeps only listings by run and states, without a limit', function () {
    assert.equal(isMirrored({ runId: 'r', states: ['pending'] }), true);
    assert.equal(isMirrored({ states: ['queued', 'running'] }), true);
    assert.equal(isMirrored({ runId: 'r', states: ['pending'], limit: 1 }), false);
    assert.equal(isMirrored({ table: 'player_game_summary' }), false);
    assert.equal(isMirrored({ mode: 'production' }), false);
    assert.equal(isMirrored({ gameDateTo: '2024-01-01' }), false);
  });

  it('reads a listing whole once, then only the chunks changed since, and answers as a direct read would', async function () {
    const { store, ids } = storeWith(20);
    const mirror = new ChunkMirror(OPTIONS);
    const query: ChunkQuery = { runId: 'run-a', states: NOT_DONE };
    assert.equal((await mirror.list(query, store)).length, 20);
    assert.deepEqual(store.served, { delta: 0, whole: 20, deltaCalls: 0, wholeCalls: 1, window: 0, summaries: 0 });

    store.time += 1_000;
    store.set(ids[0] as string, { state: 'succeeded' });
    store.set(ids[1] as string, { state: 'queued' });
    store.time += 1;
    const after = await mirror.list(query, store);
    assert.deepEqual(after, store.direct(query));
    assert.equal(after.length, 19, 'the succeeded chunk left the listing');
    assert.deepEqual(store.served, { delta: 2, whole: 20, deltaCalls: 1, wholeCalls: 1, window: 0, summaries: 0 }, 'only the two changed chunks were read');

    // A heal sends the succeeded chunk back to pending: it comes back into the listing.
    store.time += 1_000;
    store.set(ids[0] as string, { state: 'pending' });
    assert.deepEqual(await mirror.list(query, store), store.direct(query));
    assert.equal(store.served.delta, 3);
  });

  it('reads a listing asked for the first time whole, and keeps every listing current with one delta a call', async function () {
    const { store, ids } = storeWith(10);
    const mirror = new ChunkMirror(OPTIONS);
    const run: ChunkQuery = { runId: 'run-a', states: NOT_DONE };
    const inFlight: ChunkQuery = { states: ['queued', 'running'] };
    await mirror.list(run, store);
    store.time += 1_000;
    store.set(ids[3] as string, { state: 'queued' });
    assert.deepEqual((await mirror.list(inFlight, store)).map((c) => c.id), [ids[3]]);
    assert.equal(store.served.wholeCalls, 2);
    // A chunk of another run, in flight: the delta brings it to both listings that match it.
    store.time += 1_000;
    const other = newChunkRecord(testChunks('team_offense_game_summary', '2024-01-01', '2024-01-01')[0] as never, 'run-b', store.time);
    store.put({ ...other, state: 'running' });
    assert.deepEqual(await mirror.list(inFlight, store), store.direct(inFlight));
    assert.deepEqual(await mirror.list(run, store), store.direct(run));
    assert.equal(store.served.wholeCalls, 2, 'no listing read whole again');
  });

  /** A copy that read the pending chunks twice, then a change stamped 400 ms before its second read (processed before, committed after). */
  async function lateCommit(marginMs: number) {
    const { store, ids } = storeWith(5);
    const mirror = new ChunkMirror({ ...OPTIONS, marginMs });
    const query: ChunkQuery = { runId: 'run-a', states: ['pending'] };
    await mirror.list(query, store);
    store.time += 2_000;
    const readBefore = store.time;
    await mirror.list(query, store);
    const id = ids[2] as string;
    const before = store.entry(id);
    store.set(id, { state: 'queued' }, readBefore - 400);
    store.time += 2_000;
    return { store, mirror, query, id, before };
  }

  it('reaches back the margin before its last read: a change stamped before it but committed after is not lost', async function () {
    const { store, mirror, query } = await lateCommit(1_000);
    assert.deepEqual((await mirror.list(query, store)).map((c) => c.id), store.direct(query).map((c) => c.id));
    assert.equal((await mirror.list(query, store)).length, 4);

    const blind = await lateCommit(0);
    assert.equal((await blind.mirror.list(blind.query, blind.store)).length, 5, 'without the margin that change is missed (why the margin exists)');
  });

  it('mends a change its deltas missed as soon as the ledger reads or writes that chunk, and never goes back a version', async function () {
    const { store, mirror, query, id, before } = await lateCommit(0);
    assert.equal((await mirror.list(query, store)).length, 5, 'missed by the delta');
    // A transition of that chunk re-reads it: the ledger hands the version to its copy.
    mirror.observe(store.entry(id));
    assert.deepEqual((await mirror.list(query, store)).map((c) => c.id), store.direct(query).map((c) => c.id));
    // An older version arriving later (a slow read) does not replace it.
    mirror.observe(before);
    assert.equal((await mirror.list(query, store)).length, 4);
  });

  it('reads everything whole again after the reload period', async function () {
    const { store } = storeWith(10);
    const mirror = new ChunkMirror({ ...OPTIONS, reloadEveryMs: 60_000 });
    const query: ChunkQuery = { runId: 'run-a', states: NOT_DONE };
    await mirror.list(query, store);
    store.time += 59_999;
    await mirror.list(query, store);
    assert.equal(store.served.wholeCalls, 1);
    store.time += 1;
    await mirror.list(query, store);
    assert.equal(store.served.wholeCalls, 2);
    assert.equal(store.served.deltaCalls, 1, 'a reload reads no delta');
  });

  it('drops the copy and reads the listing whole beyond its size limit', async function () {
    const { store } = storeWith(20);
    const mirror = new ChunkMirror({ ...OPTIONS, maxChunks: 19 });
    const query: ChunkQuery = { runId: 'run-a', states: NOT_DONE };
    assert.equal((await mirror.list(query, store)).length, 20);
    assert.equal(mirror.size, 0);
    assert.equal((await mirror.list(query, store)).length, 20);
    assert.equal(store.served.deltaCalls, 0);
  });

  for (const windowed of [false, true]) {
    it(`answers every listing as a direct read would, over 300 random changes${windowed ? ', some committed late, checking the margin window by its summary' : ''}`, async function () {
      const { store, ids } = storeWith(30);
      if (windowed) store.withWindow();
      const more = testChunks('team_defense_game_summary', '2024-01-01', '2024-01-30');
      let seed = 7;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const marginMs = windowed ? 100 : 0;
      const mirror = new ChunkMirror({ ...OPTIONS, marginMs });
      const queries: ChunkQuery[] = [{ runId: 'run-a', states: NOT_DONE }, { states: ['queued', 'running'] }, { runId: 'run-b', states: ['pending'] }, { runId: 'run-a' }];
      for (let step = 0; step < 300; step += 1) {
        store.time += Math.floor(random() * 50);
        const roll = random();
        // A change stamped up to the margin before it commits (now), as a late commit would be.
        const stamp = windowed && random() < 0.3 ? store.time - Math.floor(random() * marginMs) : store.time;
        if (roll < 0.3) {
          const id = ids[Math.floor(random() * ids.length)] as string;
          store.set(id, { state: CHUNK_STATES[Math.floor(random() * CHUNK_STATES.length)] }, stamp);
        } else if (roll < 0.6) {
          // The ledger's own write: its deltas never read it back; the write's result is handed to the copy.
          const id = ids[Math.floor(random() * ids.length)] as string;
          store.set(id, { state: CHUNK_STATES[Math.floor(random() * CHUNK_STATES.length)] }, store.time, 'self');
          mirror.observe(store.entry(id));
        } else if (roll < 0.8) {
          const chunk = more[Math.floor(random() * more.length)] as (typeof more)[number];
          const existing = store.chunks.get(chunk.id)?.chunk;
          store.put(existing ? { ...existing, runIds: [...new Set([...existing.runIds, 'run-a'])] } : newChunkRecord(chunk, 'run-b', store.time), stamp);
        } else {
          const query = queries[Math.floor(random() * queries.length)] as ChunkQuery;
          assert.deepEqual(await mirror.list(query, store), store.direct(query), `step ${step}: ${JSON.stringify(query)}`);
        }
      }
      assert.ok(store.served.deltaCalls > 20);
      if (windowed) {
        assert.ok(mirror.stats.windowChecks > 20, `window checks: ${mirror.stats.windowChecks}`);
        assert.ok(mirror.stats.windowReads > 0 && mirror.stats.windowReads < mirror.stats.windowChecks, `window reads: ${mirror.stats.windowReads} of ${mirror.stats.windowChecks}`);
      }
    });
  }

  it('checks the margin window by its count and revisions instead of reading it again, and reads it when they differ', async function () {
    const { store, ids } = storeWith(10);
    store.withWindow();
    const mirror = new ChunkMirror({ ...OPTIONS, marginMs: 1_000 });
    const query: ChunkQuery = { runId: 'run-a', states: NOT_DONE };
    store.time += 5_000;
    await mirror.list(query, store);
    // Three changes just before the next read: the first delta reads the whole margin (nothing met it before).
    store.time += 5_000;
    for (const id of ids.slice(0, 3)) store.set(id, { state: 'queued' });
    store.time += 10;
    await mirror.list(query, store);
    assert.deepEqual({ delta: store.served.delta, summaries: store.served.summaries }, { delta: 3, summaries: 0 });
    // Two more: the next call reads those two only; the three in its margin window are checked, not read.
    store.time += 500;
    for (const id of ids.slice(3, 5)) store.set(id, { state: 'queued' });
    store.time += 10;
    assert.deepEqual(await mirror.list(query, store), store.direct(query));
    assert.deepEqual({ delta: store.served.delta, summaries: store.served.summaries, window: store.served.window }, { delta: 5, summaries: 1, window: 0 });
    // A change stamped inside the window but committed after the last read (late): the summary differs, the window is read.
    const late = ids[1] as string;
    store.set(late, { state: 'running' }, store.time - 200);
    store.time += 10;
    assert.deepEqual(await mirror.list(query, store), store.direct(query));
    assert.equal(store.served.summaries, 2);
    assert.ok(store.served.window > 0, 'the window was read');
    assert.equal(mirror.stats.windowReads, 1);
    assert.equal((await mirror.list(query, store)).find((c) => c.id === late)?.state, 'running');
  });

  it('holds its own ledger\'s writes, which its deltas do not read, also of a chunk it had let go, and never an older version', async function () {
    const { store, ids } = storeWith(4);
    const mirror = new ChunkMirror(OPTIONS);
    const query: ChunkQuery = { runId: 'run-a', states: NOT_DONE };
    const [a, b] = ids as [string, string];
    await mirror.list(query, store);
    // Another instance finishes `a`: the delta reads it, and the copy lets it go (no listing asks for it).
    store.time += 10;
    store.set(a, { state: 'succeeded' });
    const finished = store.entry(a);
    assert.equal((await mirror.list(query, store)).length, 3);
    // This instance sends `a` back to pending: its delta will not read that, the write's result is in the copy at once.
    store.time += 10;
    store.set(a, { state: 'pending' }, store.time, 'self');
    mirror.observe(store.entry(a));
    assert.deepEqual(await mirror.list(query, store), store.direct(query));
    assert.equal(store.served.delta, 1, 'the deltas read only the change the other instance made');
    // An older version met late (the `succeeded` read) does not replace it.
    mirror.observe(finished);
    assert.deepEqual(await mirror.list(query, store), store.direct(query));
    // A write of this instance that lands while its first listing is read whole (the read's snapshot taken before it)
    // is not lost behind that read.
    const fresh = new ChunkMirror(OPTIONS);
    store.delayMs = 20;
    const reading = fresh.list(query, store);
    await new Promise((resolve) => setTimeout(resolve, 5));
    store.set(b, { state: 'queued' }, store.time, 'self');
    fresh.observe(store.entry(b));
    const first = await reading;
    store.delayMs = 0;
    // The read's snapshot has `b` pending; the listing it answers already holds the write.
    assert.deepEqual(first, store.direct(query));
    assert.equal(first.find((c) => c.id === b)?.state, 'queued');
    assert.deepEqual(await fresh.list(query, store), store.direct(query));
  });

  it('serves one call at a time, so a slow delta never lands after a later one', async function () {
    const { store } = storeWith(5);
    store.delayMs = 20;
    const mirror = new ChunkMirror(OPTIONS);
    const query: ChunkQuery = { runId: 'run-a', states: NOT_DONE };
    await Promise.all([mirror.list(query, store), mirror.list(query, store), mirror.list({ states: ['pending'] }, store)]);
    assert.equal(store.maxInFlight, 1);
  });
});
