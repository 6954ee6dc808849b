import { randomBytes } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { FirestoreLedger } from '../../adapters/firestore/firestore-ledger.js';
import { LocalLedger } from '../../adapters/local/local-ledger.js';
import { clearFirestore, firestoreClient, pubSubClient, type Emulator } from '../../dev/emulators.js';
import { EmulatorQueue, ModelledQueue } from './queues.js';
import type { Backend } from './scenario.js';

/**
 * The real Firestore ledger and the Pub/Sub queue on the emulators: what the functions use on Google
 * Cloud, with the emulators in place of the services. Every scenario gets its own collections and topic,
 * and cleanup() deletes them.
 */
export function emulatorBackend(emulators: { readonly firestore: Emulator; readonly pubsub: Emulator }, options: { readonly clearAfter?: boolean } = {}): Backend {
  const id = randomBytes(4).toString('hex');
  let firestore: Firestore | undefined;
  let pubsub: PubSub | undefined;
  let queue: EmulatorQueue | undefined;
  const topic = `scale-${id}`;
  return {
    name: 'Firestore + Pub/Sub emulators',
    ledger(clock) {
      firestore = firestoreClient(emulators.firestore);
      return Promise.resolve(new FirestoreLedger({ firestore, collectionPrefix: `scale_${id}_`, clock }));
    },
    async queue(pool, clock, work) {
      pubsub = pubSubClient(emulators.pubsub);
      queue = await EmulatorQueue.open({ pubsub, topic, pool, clock, work });
      return queue;
    },
    async cleanup() {
      if (queue && pubsub) await queue.delete(pubsub, topic);
      await pubsub?.close();
      await firestore?.terminate();
      // The bench started these emulators for itself: nothing else lives in them (unless scenarios run
      // side by side, when the caller clears once they are all done).
      if (options.clearAfter ?? true) await clearFirestore(emulators.firestore);
    },
  };
}

/**
 * The local ledger in memory and a queue that delivers in modelled time without a broker: the same
 * core and the same limits model, an order of magnitude less real time. Used for the sweep of plans;
 * its numbers differ from the emulator run only by what the emulators themselves decide (ordering,
 * redelivery), since both wait the same modelled Firestore and Pub/Sub latencies.
 */
export function inMemoryBackend(): Backend {
  return {
    name: 'local ledger (memory) + modelled queue',
    ledger(clock) {
      return LocalLedger.open({ path: ':memory:', clock });
    },
    queue(pool, clock) {
      return Promise.resolve(new ModelledQueue(pool, clock));
    },
    cleanup() {
      return Promise.resolve();
    },
  };
}
