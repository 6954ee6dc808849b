import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { FirestoreAlertStore } from '../../adapters/firestore/firestore-alert-store.js';
import { FirestoreLedger } from '../../adapters/firestore/firestore-ledger.js';
import { alertStoreConformance } from '../ports/alert-store-conformance.js';
import { ledgerConformance } from '../ports/ledger-conformance.js';
import { clearFirestore, firestoreClient, startFirestoreEmulator, type Emulator } from '../../dev/emulators.js';
import { loadInfra, type Infra } from '../support/infra.js';
import { checkQueriesIndexed, neededIndex, type RecordedQueryRequest } from './checks/firestore.js';

/**
 * Production Firestore refuses a query that needs a composite index nobody declared; the emulator runs
 * it anyway, so the adapters' own tests cannot see the difference. This file runs both Firestore
 * adapters (the ledger and the alert store) through their port conformance suites on the emulator,
 * records every query they send at the client's wire boundary (RunQuery and RunAggregationQuery
 * requests, as production would receive them), and checks each against the google_firestore_index
 * resources of infra/firestore.tf.
 */

const recorded: RecordedQueryRequest[] = [];
/** Collection ids here are <test prefix><collection>; infra/ declares <var prefix><collection>. */
const TEST_PREFIX = /^t[0-9a-f]{12}_/;
const unprefixed = (collectionId: string) => collectionId.replace(TEST_PREFIX, '');
const newPrefix = () => `t${randomUUID().replaceAll('-', '').slice(0, 12)}_`;

/**
 * The client's one door for streamed calls, Firestore#requestStream(methodName, bidirectional, request,
 * requestTag): queries go through it as 'runQuery' (reference/query-util.js) and count() as
 * 'runAggregationQuery' (reference/aggregate-query.js). Internal to @google-cloud/firestore, so typed here.
 */
interface StreamDoor {
  requestStream(methodName: string, bidirectional: boolean, request: unknown, requestTag: string): Promise<unknown>;
}

/** A client of the emulator whose every query request is also pushed to `recorded`. */
function recordingClient(emulator: Emulator): Firestore {
  const client = firestoreClient(emulator);
  const door = client as unknown as StreamDoor;
  if (typeof door.requestStream !== 'function') throw new Error('@google-cloud/firestore has no Firestore#requestStream any more: update this recorder');
  const send = door.requestStream.bind(client);
  door.requestStream = (methodName, bidirectional, request, requestTag) => {
    if (methodName === 'runQuery' || methodName === 'runAggregationQuery') recorded.push(structuredClone(request) as RecordedQueryRequest);
    return send(methodName, bidirectional, request, requestTag);
  };
  return client;
}

describe('Firestore queries of adapters/ against the indexes of infra/', function () {
  this.timeout(120_000);
  let emulator: Emulator | undefined;
  let db: Firestore;
  const clients: Firestore[] = [];
  const client = () => {
    if (!emulator) throw new Error('the Firestore emulator did not start');
    const c = recordingClient(emulator);
    clients.push(c);
    return c;
  };

  before(async function () {
    emulator = await startFirestoreEmulator();
    db = client();
  });

  after(async function () {
    await Promise.allSettled(clients.map((c) => c.terminate()));
    await emulator?.stop();
  });

  describe('recording the ledger', function () {
    ledgerConformance('FirestoreLedger (recorded)', (clock) => {
      const prefix = newPrefix();
      let ledger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix, clock });
      return Promise.resolve({
        get ledger() {
          return ledger;
        },
        reopen: async () => {
          await ledger.close();
          ledger = new FirestoreLedger({ firestore: client(), collectionPrefix: prefix, clock });
          return ledger;
        },
        peer: () => Promise.resolve(new FirestoreLedger({ firestore: client(), collectionPrefix: prefix, clock })),
        dispose: async () => {
          await ledger.close();
          await Promise.all(['runs', 'chunks'].map((name) => db.recursiveDelete(db.collection(`${prefix}${name}`))));
        },
      });
    });
  });

  describe('recording the alert store', function () {
    alertStoreConformance('FirestoreAlertStore (recorded)', () => {
      const store = new FirestoreAlertStore({ firestore: db, collectionPrefix: newPrefix() });
      return Promise.resolve({
        store,
        dispose: async () => {
          await store.close();
          if (emulator) await clearFirestore(emulator);
        },
      });
    });
  });

  describe('the recorded queries', function () {
    let infra: Infra;

    before(async function () {
      this.timeout(60_000);
      infra = await loadInfra();
    });

    it('include the queries that need a composite index, of both adapters', function () {
      const needs = recorded.map(neededIndex).filter((n) => n !== null);
      const collections = new Set(needs.map((n) => unprefixed(n.collectionId)));
      for (const c of ['runs', 'chunks', 'alerts', 'verifications']) assert.ok(collections.has(c), `no recorded query on ${c} needs an index: ${[...collections].join(', ')}`);
      assert.ok(needs.some((n) => unprefixed(n.collectionId) === 'verifications' && n.ordered.some((o) => o.fieldPath === 'verifiedAt' && o.order === 'DESCENDING')),
        'the verification history query where(scopeKey ==).orderBy(verifiedAt desc) was recorded');
    });

    it('each have their composite index declared in infra/firestore.tf', function () {
      assert.ok(recorded.length > 0, 'queries were recorded');
      const problems = checkQueriesIndexed(infra, recorded, unprefixed);
      assert.deepEqual(problems, [], problems.join('\n'));
    });

    it('would fail without the index of the verification history (the check can fail)', function () {
      const broken = structuredClone(infra);
      delete broken.resources.google_firestore_index?.verifications_by_scope_verified_at;
      const problems = checkQueriesIndexed(broken, recorded, unprefixed);
      assert.ok(problems.some((p) => /a query on verifications \(scopeKey ==, verifiedAt DESCENDING\) has no google_firestore_index/.test(p)), problems.join('\n') || '(no problem reported)');
    });

    it('would fail with an index whose order does not match the query', function () {
      const broken = structuredClone(infra);
      const index = broken.resources.google_firestore_index?.runs_by_state_created_at;
      assert.ok(index);
      const fields = index.body.fields as Array<Record<string, unknown>>;
      const createdAt = fields.find((f) => f.field_path === 'createdAt');
      assert.ok(createdAt);
      createdAt.order = 'ASCENDING';
      const problems = checkQueriesIndexed(broken, recorded, unprefixed);
      assert.ok(problems.some((p) => /a query on runs \(state ==, createdAt DESCENDING\)/.test(p)), problems.join('\n') || '(no problem reported)');
    });
  });
});
