import type { PubSub } from '@google-cloud/pubsub';
import type { ServiceConfig } from '../shared/config/config.js';
import type { SchedulerKind } from '../functions/manifest.js';
import { pushEndpoint, type FunctionServers } from './function-servers.js';

/**
 * The Pub/Sub side of the deployment on an emulator: the three topics, and push subscriptions that
 * deliver the chunks topic to processChunk and the reconcile topic to reconcile, as Eventarc does
 * for the deployed functions. The alerts topic gets a pull subscription so its messages can be read.
 */
export interface PushTopology {
  readonly projectId: string;
  readonly topics: ServiceConfig['topics'];
  /** Pull subscription on the alerts topic. */
  readonly alertsSubscription: string;
  /** Publish what Cloud Scheduler publishes, `times` copies at once. */
  publishScheduler(kind?: SchedulerKind, times?: number): Promise<void>;
  /** Delete the subscriptions (pushes stop) and the topics. */
  delete(): Promise<void>;
}

export interface PushTopologyOptions {
  readonly pubsub: PubSub;
  readonly projectId: string;
  readonly topics: ServiceConfig['topics'];
  readonly servers: Pick<FunctionServers, 'urls'>;
  /** A message not acknowledged in this long is pushed again. */
  readonly ackDeadlineSeconds?: number;
}

export async function createPushTopology(options: PushTopologyOptions): Promise<PushTopology> {
  const { pubsub, projectId, topics, servers } = options;
  const ackDeadlineSeconds = options.ackDeadlineSeconds ?? 60;
  // Redelivery after a failed push, kept short so a crashed handler is retried within a test.
  const retryPolicy = { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 5 } };
  const created: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const undo of created.splice(0).reverse()) await undo().catch(() => undefined);
  };
  try {
    for (const name of [topics.chunks, topics.reconcile, topics.alerts]) {
      const [topic] = await pubsub.createTopic(name);
      created.push(() => topic.delete());
    }
    const subscriptions = [
      { topic: topics.chunks, name: `${topics.chunks}-push`, endpoint: pushEndpoint(servers.urls.processChunk, projectId, topics.chunks) },
      { topic: topics.reconcile, name: `${topics.reconcile}-push`, endpoint: pushEndpoint(servers.urls.reconcile, projectId, topics.reconcile) },
      { topic: topics.alerts, name: `${topics.alerts}-pull`, endpoint: null },
    ];
    for (const s of subscriptions) {
      const [subscription] = await pubsub.topic(s.topic).createSubscription(s.name, {
        ackDeadlineSeconds,
        retryPolicy,
        ...(s.endpoint ? { pushConfig: { pushEndpoint: s.endpoint } } : {}),
      });
      created.push(() => subscription.delete());
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    projectId,
    topics,
    alertsSubscription: `${topics.alerts}-pull`,
    async publishScheduler(kind = 'reconcile', times = 1) {
      const topic = pubsub.topic(topics.reconcile);
      const data = Buffer.from(JSON.stringify({ kind }));
      await Promise.all(Array.from({ length: times }, () => topic.publishMessage({ data })));
    },
    delete: cleanup,
  };
}
