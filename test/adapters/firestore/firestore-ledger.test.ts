import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { FieldValue, Query, Timestamp, type DocumentReference, type Firestore, type QuerySnapshot } from '@google-cloud/firestore';
import sinon from 'sinon';
import { FirestoreLedger } from '../../../adapters/firestore/firestore-ledger.js';
import type { Clock } from '../../../shared/ports/clock.js';
import type { ChunkQuery, NewChunk } from '../../../shared/ports/ledger.js';
import { firestoreClient, startFirestoreEmulator, type Emulator } from '../../../dev/emulators.js';
import { ledgerConformance, testChunks, testRun, T0 } from '../../ports/ledger-conformance.js';

function uniquePrefix(): string {
  return `t${randomUUID().replaceAll('-', '').slice(0, 12)}_`;
}

async function deleteCollections(db: Firestore, prefix: string): Promise<void> {
  await Promise.all(['runs', 'chunks'].map((name) => db.recursiveDelete(db.collection(`${prefix}${name}`))));
}

describe('FirestoreLedger on the Firestore emulator', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  let db: Firestore;
  /** A second client: another process's view of the same database. */
  let peerDb: Firestore;

  before(async function () {
    emulator = await startFirestoreEmulator();
    db = firestoreClient(emulator);
    peerDb = firestoreClient(emulator);
  });

  after(async function () {
    await Promise.allSettled([db?.terminate(), peerDb?.terminate()]);
    await emulator?.stop();
  });

  ledgerConformance('FirestoreLedger', (clock) => {
    const prefix = uniquePrefix();
    let ledger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock });
    const peers: FirestoreLedger[] = [];
    const clients: Firestore[] = [];
    return Promise.resolve({
      get ledger() {
        return ledger;
      },
      // A restarted process: a new client of the same database, nothing kept in memory.
      reopen: async () => {
        await ledger.close();
        if (!emulator) throw new Error('the Firestore emulator did not start');
        const fresh = firestoreClient(emulator);
        clients.push(fresh);
        ledger = new FirestoreLedger({ firestore: fresh, collectionPrefix: prefix, clock });
        return ledger;
      },
      peer: () => {
        const peer = new FirestoreLedger({ firestore: peerDb, collectionPrefix: prefix, clock });
        peers.push(peer);
        return Promise.resolve(peer);
      },
      dispose: async () => {
        await Promise.all([ledger, ...peers].map((l) => l.close()));
        await deleteCollections(db, prefix);
        await Promise.all(clients.map((c) => c.terminate()));
      },
    });
  });

  describe('beyond the port', function () {
    const sandbox = sinon.createSandbox();
    let prefix: string;
    let now: number;
    const clock: Clock = { now: () => now };

    beforeEach(function () {
      prefix = uniquePrefix();
      now = T0;
    });

    afterEach(async function () {
      sandbox.restore();
      await deleteCollections(db, prefix);
    });

    it('stores one document per run and per chunk, keyed by their ids, with times as epoch milliseconds', async function () {
      const ledger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock });
      const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-03');
      await ledger.createRun(testRun('run-a', { chunkCount: 3 }), chunks);

      const collections = (await db.listCollections()).map((c) => c.id).filter((id) => id.startsWith(prefix));
      assert.deepEqual(collections.sort(), [`${prefix}chunks`, `${prefix}runs`], 'no counter or other shared document');
      const chunkDocs = await db.collection(`${prefix}chunks`).get();
      assert.deepEqual(chunkDocs.docs.map((d) => d.id), chunks.map((c) => c.id));
      const first = chunkDocs.docs[0]?.data();
      assert.equal(first?.updatedAt, T0);
      assert.equal(first?.state, 'pending');
      assert.deepEqual(first?.runIds, ['run-a']);
      const runDoc = await db.collection(`${prefix}runs`).doc('run-a').get();
      assert.equal(runDoc.get('createdAt'), T0);
      assert.equal(runDoc.get('state'), 'active');
    });

    it('writes the run document only after its chunks, so a failed createRun never leaves a run without chunks', async function () {
      const ledger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock });
      const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-05');
      const runs = db.collection(`${prefix}runs`);
      const runRef = runs.doc('run-a');
      const create = sandbox.stub(Object.getPrototypeOf(runRef) as { create: (data: unknown) => Promise<unknown> }, 'create');
      create.rejects(Object.assign(new Error('14 UNAVAILABLE: the network went away'), { code: 14 }));

      await assert.rejects(ledger.createRun(testRun('run-a'), chunks), /UNAVAILABLE/);
      assert.equal(await ledger.getRun('run-a'), null);
      assert.equal((await ledger.listChunks({ runId: 'run-a' })).length, 5);

      create.restore();
      const again = await ledger.createRun(testRun('run-a'), chunks);
      assert.deepEqual({ created: again.created, chunksAdded: again.chunksAdded }, { created: true, chunksAdded: 0 });
      assert.equal((await ledger.getRun('run-a'))?.id, 'run-a');
    });

    it('counts every chunk once when two runs over the same chunks are created at once', async function () {
      const ledger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock });
      const peer = new FirestoreLedger({ firestore: peerDb, collectionPrefix: prefix, clock });
      const chunks = testChunks('player_game_summary', '2023-01-01', '2023-03-31');
      const [a, b] = await Promise.all([ledger.createRun(testRun('run-a'), chunks), peer.createRun(testRun('run-b'), chunks)]);

      assert.equal(a.chunksAdded + b.chunksAdded, chunks.length);
      const stored = await ledger.listChunks({});
      assert.equal(stored.length, chunks.length);
      for (const chunk of stored) assert.deepEqual([...chunk.runIds].sort(), ['run-a', 'run-b']);
    });

    it('reads no chunk when it creates the chunks of a new run, and reads them to link the ones that exist', async function () {
      const ledger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock });
      const getAll = sandbox.spy(db, 'getAll');
      const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-05');
      const a = await ledger.createRun(testRun('run-a'), chunks);
      assert.equal(a.chunksAdded, 5);
      assert.equal(getAll.callCount, 0, 'a new run over new chunks reads nothing');

      const wider = testChunks('player_game_summary', '2024-01-04', '2024-01-08');
      const b = await ledger.createRun(testRun('run-b'), wider);
      assert.equal(b.chunksAdded, 3);
      assert.ok(getAll.callCount >= 1, 'chunks that exist are read to be linked');
      const stored = new Map((await ledger.listChunks({})).map((c) => [c.gameDate, [...c.runIds].sort().join(' ')]));
      assert.deepEqual(Object.fromEntries(stored), {
        '2024-01-01': 'run-a', '2024-01-02': 'run-a', '2024-01-03': 'run-a', '2024-01-04': 'run-a run-b', '2024-01-05': 'run-a run-b',
        '2024-01-06': 'run-b', '2024-01-07': 'run-b', '2024-01-08': 'run-b',
      });
    });

    it('lists a run again reading only the chunks changed since, seeing every change another ledger made', async function () {
      const ledger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock, mirror: { marginMs: 0 } });
      const peer = new FirestoreLedger({ firestore: peerDb, collectionPrefix: prefix, clock, mirror: false });
      const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-10');
      await peer.createRun(testRun('run-a'), chunks);
      // changedAt has millisecond precision: the first listing is read in a later millisecond than the chunks' creation.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const query: ChunkQuery = { runId: 'run-a', states: ['pending', 'queued', 'running', 'failed', 'dead'] };
      assert.equal((await ledger.listChunks(query)).length, 10);
      const stored = (await db.collection(`${prefix}chunks`).doc(chunks[0]?.id as string).get()).get('changedAt') as unknown;
      assert.ok(stored instanceof Timestamp, 'every chunk write stamps changedAt with the server time');

      const [a, b, c] = chunks.map((chunk) => chunk.id) as [string, string, string];
      await peer.transition([
        { id: a, from: ['pending'], to: 'succeeded', patch: { rowsWritten: 1, rowsFound: 1 } },
        { id: b, from: ['pending'], to: 'queued', patch: { queuedAt: now } },
      ]);
      // A second run links a chunk: it gains the run id, and that is a change too.
      await peer.createRun(testRun('run-b'), testChunks('player_game_summary', '2024-01-10', '2024-01-11'));
      const get = sandbox.spy(Query.prototype, 'get');
      const listed = await ledger.listChunks(query);
      let served = 0;
      for (const value of get.returnValues) served += (await (value as Promise<QuerySnapshot>)).size;
      assert.deepEqual(listed, await peer.listChunks(query), 'the same answer as a listing read whole');
      assert.equal(listed.length, 9);
      assert.equal(served, 4, 'read: the two chunks changed, the chunk linked to run-b and the one run-b created');
      assert.deepEqual((await ledger.listChunks({ runId: 'run-b', states: ['pending'] })).map((x) => x.gameDate), ['2024-01-10', '2024-01-11']);

      // What the ledger itself writes its copy holds at once, and its next delta does not read it back: it reads only
      // what another instance changed since (changedBy).
      await new Promise((resolve) => setTimeout(resolve, 5));
      const d = chunks[3]?.id as string;
      await ledger.transition([{ id: c, from: ['pending'], to: 'queued', patch: { queuedAt: now } }]);
      await peer.transition([{ id: d, from: ['pending'], to: 'queued', patch: { queuedAt: now } }]);
      assert.equal((await db.collection(`${prefix}chunks`).doc(c).get()).get('changedBy'), ledger.writerId, 'every chunk write stamps its writer');
      get.resetHistory();
      const again = await ledger.listChunks(query);
      const docs: string[] = [];
      for (const value of get.returnValues) docs.push(...(await (value as Promise<QuerySnapshot>)).docs.map((x) => x.id));
      assert.deepEqual(docs, [d], 'the delta read the chunk the peer changed, not the one this ledger wrote');
      assert.deepEqual(again, await peer.listChunks(query), 'the same answer as a listing read whole');
      assert.equal(again.find((x) => x.id === c)?.state, 'queued');
    });

    it('checks its margin window with one count and sum aggregation instead of reading it again, and reads a change committed late', async function () {
      const ledger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock, mirror: { marginMs: 5_000 } });
      const peer = new FirestoreLedger({ firestore: peerDb, collectionPrefix: prefix, clock, mirror: false });
      const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-06');
      const [a, b, c, d] = chunks.map((chunk) => chunk.id) as [string, string, string, string];
      const query: ChunkQuery = { runId: 'run-a', states: ['pending', 'queued', 'running', 'failed', 'dead'] };
      await peer.createRun(testRun('run-a'), chunks);
      await ledger.listChunks(query);
      await peer.transition([a, b].map((id) => ({ id, from: ['pending'], to: 'queued', patch: { queuedAt: now } })));
      // The first delta reads back the whole margin (the creations and a, b); from then on the window is checked.
      await ledger.listChunks(query);
      await peer.transition([{ id: c, from: ['pending'], to: 'queued', patch: { queuedAt: now } }]);
      const get = sandbox.spy(Query.prototype, 'get');
      // AggregateQuery is not exported as a value: its prototype is reached through an instance.
      const aggregate = sandbox.spy(Object.getPrototypeOf(db.collection('x').count()) as { get: () => Promise<unknown> }, 'get');
      const read = async () => {
        const ids: string[] = [];
        for (const value of get.returnValues) ids.push(...(await (value as Promise<QuerySnapshot>)).docs.map((x) => x.id));
        get.resetHistory();
        return ids;
      };
      assert.deepEqual(await ledger.listChunks(query), await peer.listChunks(query));
      get.resetHistory();
      await ledger.listChunks(query);
      assert.deepEqual(await read(), [], 'nothing changed: nothing read, though a, b and c are in the margin window');
      assert.equal(aggregate.callCount, 2, 'one count and sum a call');

      // A write stamped inside the window that commits after the last read (written here with a stamp in the past).
      const doc = db.collection(`${prefix}chunks`).doc(d);
      await doc.update({ state: 'queued', queuedAt: now, changedAt: Timestamp.fromMillis(Date.now() - 1_000), changedBy: 'late-writer', revision: FieldValue.increment(1) });
      const listed = await ledger.listChunks(query);
      const windowRead = await read();
      assert.ok(windowRead.includes(d), `the window was read, the late change with it: ${windowRead.join(', ')}`);
      assert.equal(listed.find((x) => x.id === d)?.state, 'queued');
      assert.deepEqual(listed, await peer.listChunks(query));
    });

    it('reads its own changes too while the delta\'s composite index is missing (FAILED_PRECONDITION), and lists the same', async function () {
      const ledger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock, mirror: { marginMs: 0 } });
      const peer = new FirestoreLedger({ firestore: peerDb, collectionPrefix: prefix, clock, mirror: false });
      const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-04');
      await peer.createRun(testRun('run-a'), chunks);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const query: ChunkQuery = { runId: 'run-a', states: ['pending', 'queued', 'running', 'failed', 'dead'] };
      assert.equal((await ledger.listChunks(query)).length, 4);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const [a, b] = chunks.map((chunk) => chunk.id) as [string, string];
      await ledger.transition([{ id: a, from: ['pending'], to: 'queued', patch: { queuedAt: now } }]);
      await peer.transition([{ id: b, from: ['pending'], to: 'succeeded', patch: { rowsWritten: 1, rowsFound: 1 } }]);
      // Production refuses a query whose composite index is not built yet: the first query (the delta) fails so.
      const get = sandbox.stub(Query.prototype, 'get');
      get.callThrough();
      get.onFirstCall().rejects(Object.assign(new Error('9 FAILED_PRECONDITION: The query requires an index'), { code: 9 }));
      const listed = await ledger.listChunks(query);
      assert.equal(get.callCount, 2, 'the delta, then the delta on changedAt alone');
      const fallback = (await (get.secondCall.returnValue as Promise<QuerySnapshot>)).docs.map((x) => x.id).sort();
      assert.deepEqual(fallback, [a, b].sort(), 'the fallback reads this ledger\'s own change too');
      get.restore();
      assert.deepEqual(listed, await peer.listChunks(query));
      assert.deepEqual(listed.map((x) => x.state).sort(), ['pending', 'pending', 'queued']);
    });

    it('writes a transition of chunks it just listed without reading them, and reads again one another ledger changed since', async function () {
      const ledger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock });
      const peer = new FirestoreLedger({ firestore: peerDb, collectionPrefix: prefix, clock });
      const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-04');
      await ledger.createRun(testRun('run-a'), chunks);
      const listed = await ledger.listChunks({ runId: 'run-a', states: ['pending'] });
      assert.equal(listed.length, 4);
      const getAll = sandbox.spy(db, 'getAll');
      const [first, second, third, fourth] = listed.map((c) => c.id) as [string, string, string, string];

      // Another instance queues the second chunk after this one listed it.
      assert.equal((await peer.transition([{ id: second, from: ['pending'], to: 'queued', patch: { queuedAt: now } }])).length, 1);
      now += 1_000;
      const queued = await ledger.transition([first, second, third].map((id) => ({ id, from: ['pending'], to: 'queued', patch: { queuedAt: now } })));
      assert.deepEqual(queued.map((c) => c.id).sort(), [first, third].sort(), 'the chunk queued meanwhile is not queued twice');
      assert.equal(getAll.callCount, 1, 'only the chunk changed since the listing is read');
      assert.deepEqual(getAll.firstCall.args.map((ref) => (ref as DocumentReference).id), [second]);

      // What it wrote it knows: the next transition of those chunks reads nothing, and is stored as returned.
      getAll.resetHistory();
      const running = await ledger.transition([{ id: first, from: ['queued'], to: 'running', patch: { leaseOwner: 'w', leaseExpiresAt: now + 60_000 } }]);
      assert.equal(getAll.callCount, 0);
      assert.deepEqual(running, await peer.getChunks([first]));
      // Only a version read now says a transition does not apply: a known chunk whose version does not hold `from`
      // is read again (another ledger may have moved it there), and one that moved there is moved on.
      assert.deepEqual(await ledger.transition([{ id: fourth, from: ['queued'], to: 'running', patch: {} }]), []);
      assert.equal(getAll.callCount, 1);
      await peer.transition([{ id: fourth, from: ['pending'], to: 'queued', patch: { queuedAt: now } }]);
      assert.equal((await ledger.transition([{ id: fourth, from: ['queued'], to: 'running', patch: {} }])).length, 1);
      assert.equal(getAll.callCount, 2);
      // A chunk never read is read first.
      const [other] = testChunks('player_game_summary', '2024-01-05', '2024-01-05');
      await peer.createRun(testRun('run-b'), [other as NewChunk]);
      assert.equal((await ledger.transition([{ id: (other as NewChunk).id, from: ['pending'], to: 'queued', patch: { queuedAt: now } }])).length, 1);
      assert.equal(getAll.callCount, 3);
    });

    it('counts a transition whose write landed although its answer was lost as made', async function () {
      const ledger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock });
      const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-02');
      await ledger.createRun(testRun('run-a'), chunks);
      const writer = db.bulkWriter();
      const prototype = Object.getPrototypeOf(writer) as { update: (...args: unknown[]) => Promise<unknown> };
      await writer.close();
      const original = prototype.update;
      // The write is applied, then the retry of a lost answer meets its own write: FAILED_PRECONDITION.
      sandbox.stub(prototype, 'update').callsFake(function (this: unknown, ...args: unknown[]) {
        return original.apply(this, args).then(() => Promise.reject(Object.assign(new Error('9 FAILED_PRECONDITION'), { code: 9 })));
      });

      const changed = await ledger.transition([{ id: chunks[0]?.id as string, from: ['pending'], to: 'queued', patch: { queuedAt: now } }]);

      assert.equal(changed.length, 1);
      assert.equal(changed[0]?.state, 'queued');
    });

    it('terminates the Firestore client on close only when asked to', async function () {
      const client = firestoreClient(emulator as Emulator);
      const terminate = sandbox.spy(client, 'terminate');
      await new FirestoreLedger({ firestore: client, collectionPrefix: prefix }).close();
      sinon.assert.notCalled(terminate);
      await new FirestoreLedger({ firestore: client, collectionPrefix: prefix, terminateOnClose: true }).close();
      sinon.assert.calledOnce(terminate);
    });
  });
});
