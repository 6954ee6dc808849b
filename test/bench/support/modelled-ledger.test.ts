import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Query, type Firestore, type QuerySnapshot } from '@google-cloud/firestore';
import sinon from 'sinon';
import { FirestoreLedger } from '../../../adapters/firestore/firestore-ledger.js';
import { LocalLedger } from '../../../adapters/local/local-ledger.js';
import { ModelledLedger } from '../../../bench/support/modelled-ledger.js';
import { autoAdvance, RealWork } from '../../../bench/simulator/auto-advance.js';
import { VirtualClock } from '../../../bench/simulator/sim-clock.js';
import { firestoreClient, startFirestoreEmulator, type Emulator } from '../../../dev/emulators.js';
import type { ChunkTransition, Ledger } from '../../../shared/ports/ledger.js';
import { testChunks, testRun, T0 } from '../../ports/ledger-conformance.js';

/**
 * The scale benchmark bills Firestore reads from a model (bench/support/modelled-ledger.ts) of what the Firestore
 * adapter reads. The same calls, made by three function instances (the API, reconcile, a worker), on the real
 * adapter over the emulator with every document it reads counted, and on the model: the same bill.
 */
describe('the modelled Firestore bill against the Firestore adapter', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  let db: Firestore;
  const sandbox = sinon.createSandbox();

  before(async function () {
    emulator = await startFirestoreEmulator();
    db = firestoreClient(emulator);
  });
  after(async function () {
    await db?.terminate();
    await emulator?.stop();
  });
  afterEach(() => sandbox.restore());

  interface Instances { readonly api: Ledger; readonly reconcile: Ledger; readonly worker: Ledger }

  /** The calls of a small run: created, listed and queued by reconcile, claimed and settled by a worker, and more. */
  async function script({ api, reconcile, worker }: Instances): Promise<void> {
    const chunks = testChunks('team_offense_game_summary', '2024-01-01', '2024-01-06');
    const ids = chunks.map((c) => c.id);
    const [c0, c1, c2, c3, c4] = ids as [string, string, string, string, string];
    const to = (id: string, from: ChunkTransition['from'], state: ChunkTransition['to'], patch: ChunkTransition['patch'] = {}): ChunkTransition => ({ id, from, to: state, patch });
    await api.createRun(testRun('run-a'), chunks);
    await reconcile.listChunks({ runId: 'run-a', states: ['pending', 'queued', 'running', 'failed', 'dead'] });
    await reconcile.transition([c0, c1, c2, c3].map((id) => to(id, ['pending'], 'queued', { queuedAt: T0 })));
    await worker.getChunks([c0, c1]);
    await worker.transition([c0, c1].map((id) => to(id, ['queued'], 'running', { leaseOwner: 'w', leaseExpiresAt: T0 + 60_000 })));
    await worker.transition([c0, c1].map((id) => to(id, ['running'], 'succeeded', { leaseOwner: null, leaseExpiresAt: null, rowsWritten: 2, rowsFound: 2 })));
    // The next pass: its listing copy reads the chunks another instance changed since (the two settled, not the two
    // it queued itself and knows); a listing asked for the first time is read whole.
    await reconcile.listChunks({ runId: 'run-a', states: ['pending', 'queued', 'running', 'failed', 'dead'] });
    await reconcile.listChunks({ states: ['queued', 'running'] });
    // What reconcile wrote it knows; what the worker changed since, it reads; a known chunk not in `from` is read too.
    await reconcile.transition([to(c2, ['queued'], 'pending'), to(c3, ['queued'], 'pending'), to(c0, ['queued'], 'pending'), to(c4, ['running'], 'failed')]);
    await reconcile.listChunks({ runId: 'run-a', states: ['pending', 'queued', 'running', 'failed', 'dead'] });
    // A second run over some of the same chunks: the page that met existing chunks is read to link them.
    await api.createRun(testRun('run-b'), testChunks('team_offense_game_summary', '2024-01-05', '2024-01-08'));
  }

  it('reads as many documents on the model as the adapter reads from Firestore', async function () {
    // The adapter: every document returned by a batched get or a query (a query that returns nothing costs one).
    let firestoreReads = 0;
    const getAll = sandbox.spy(db, 'getAll');
    const get = sandbox.spy(Query.prototype, 'get');
    const prefix = `m${randomUUID().replaceAll('-', '').slice(0, 12)}_`;
    const clock = { now: () => T0 };
    // The listing copy's deltas reach back no further than the last read: both sides count the same changes.
    const adapter = () => new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock, mirror: { marginMs: 0 } });
    await script({ api: adapter(), reconcile: adapter(), worker: adapter() });
    for (const call of getAll.getCalls()) firestoreReads += call.args.filter((a) => typeof a === 'object' && a !== null && 'path' in a).length;
    for (const value of get.returnValues) firestoreReads += Math.max(1, (await (value as Promise<QuerySnapshot>)).size);

    const virtual = new VirtualClock(T0);
    const work = new RealWork();
    const auto = autoAdvance(virtual, work);
    const inner = await LocalLedger.open({ path: ':memory:', clock: virtual });
    const model = new ModelledLedger(inner, { clock: virtual, work, mirror: { marginMs: 0, reloadEveryMs: Number.POSITIVE_INFINITY } });
    try {
      await script({ api: model.instance(), reconcile: model.instance(), worker: model.instance() });
    } finally {
      await auto.stop();
      await inner.close();
    }
    assert.ok(firestoreReads > 0);
    // Documents: the same on both. Besides, the model bills the index entries of reconcile's own changes that its two
    // deltas after a transition of its own scanned and skipped (2 chunks, then 3): one read each, at its assumed rate.
    assert.deepEqual(
      { documents: model.counters.reads - model.counters.indexEntryReads, indexEntryReads: model.counters.indexEntryReads },
      { documents: firestoreReads, indexEntryReads: 2 },
      JSON.stringify(model.counters.readsByCall),
    );
  });
});
