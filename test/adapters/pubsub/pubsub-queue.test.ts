import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Message, PubSub, Subscription, Topic } from '@google-cloud/pubsub';
import { PubSubQueue } from '../../../adapters/pubsub/pubsub-queue.js';
import { decodeChunkMessage, encodeChunkMessage } from '../../../shared/chunks/chunk-message.js';
import { pubSubClient, startPubSubEmulator, type Emulator } from '../../../dev/emulators.js';
import { DeliveryCollector, queueConformance, testMessage } from '../../ports/queue-conformance.js';

const uniqueName = (what: string) => `${what}-${randomUUID().slice(0, 8)}`;

/** A topic with a subscription of its own, so each test hears only its own messages. */
async function topicWithSubscription(pubsub: PubSub): Promise<{ topic: Topic; subscription: Subscription; remove: () => Promise<void> }> {
  const [topic] = await pubsub.createTopic(uniqueName('chunks'));
  const [subscription] = await topic.createSubscription(uniqueName('chunks-sub'));
  return {
    topic,
    subscription,
    remove: async () => {
      await subscription.close();
      await subscription.delete();
      await topic.delete();
    },
  };
}

describe('PubSubQueue on the Pub/Sub emulator', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  let pubsub: PubSub;

  before(async function () {
    emulator = await startPubSubEmulator();
    pubsub = pubSubClient(emulator);
  });

  after(async function () {
    await pubsub?.close();
    await emulator?.stop();
  });

  queueConformance('PubSubQueue', async () => {
    const { topic, subscription, remove } = await topicWithSubscription(pubsub);
    const received = new DeliveryCollector();
    subscription.on('message', (message: Message) => {
      received.add({ message: decodeChunkMessage(message.data), attributes: { ...message.attributes } });
      message.ack();
    });
    const queue = new PubSubQueue({ pubsub, topic: topic.name.split('/').pop() as string });
    return {
      queue,
      received,
      quietMs: 500,
      dispose: async () => {
        await queue.close();
        await remove();
      },
    };
  });

  describe('beyond the port', function () {
    it('sends each chunk message as one Pub/Sub message whose data and attributes are its encoding', async function () {
      const { topic, subscription, remove } = await topicWithSubscription(pubsub);
      try {
        const raw: Message[] = [];
        const arrived = new Promise<void>((resolve) => {
          subscription.on('message', (message: Message) => {
            raw.push(message);
            message.ack();
            if (raw.length === 2) resolve();
          });
        });
        const queue = new PubSubQueue({ pubsub, topic: topic.name.split('/').pop() as string });
        const sent = [testMessage({ runId: 'run-one' }), testMessage({ runId: 'run-two', dates: ['2024-01-01', '2024-01-02'] })];
        await queue.publish(sent);
        await queue.close();
        await arrived;

        const byRun = new Map(raw.map((m) => [m.attributes.runId, m]));
        for (const message of sent) {
          const got = byRun.get(message.runId);
          const expected = encodeChunkMessage(message);
          assert.deepEqual(got?.data, expected.data);
          assert.deepEqual({ ...got?.attributes }, expected.attributes);
        }
      } finally {
        await remove();
      }
    });

    it("rejects with Pub/Sub's error when the topic does not exist", async function () {
      const queue = new PubSubQueue({ pubsub, topic: uniqueName('missing') });
      await assert.rejects(queue.publish([testMessage()]), (error: Error & { code?: number }) => error.code === 5 && /NOT_FOUND/.test(error.message));
      await queue.close();
    });
  });
});
