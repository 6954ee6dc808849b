import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { FirestoreAlertStore } from '../../../adapters/firestore/firestore-alert-store.js';
import { clearFirestore, firestoreClient, startFirestoreEmulator, type Emulator } from '../../../dev/emulators.js';
import { alertStoreConformance } from '../../ports/alert-store-conformance.js';

describe('FirestoreAlertStore on the Firestore emulator', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let firestore: Firestore;

  before(async function () {
    emulator = await startFirestoreEmulator();
    firestore = firestoreClient(emulator);
  });

  after(async function () {
    await firestore?.terminate();
    await emulator?.stop();
  });

  // Each test its own collections (a fresh prefix); the emulator is emptied after each.
  alertStoreConformance('FirestoreAlertStore', () => {
    const store = new FirestoreAlertStore({ firestore, collectionPrefix: `t${randomUUID().slice(0, 8)}_` });
    return Promise.resolve({
      store,
      dispose: async () => {
        await store.close();
        await clearFirestore(emulator);
      },
    });
  });
});
