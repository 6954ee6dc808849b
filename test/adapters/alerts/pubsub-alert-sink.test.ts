import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { PubSub } from '@google-cloud/pubsub';
import { PubSubAlertSink } from '../../../adapters/pubsub/pubsub-alert-sink.js';
import { pubSubClient, startPubSubEmulator, type Emulator } from '../../../dev/emulators.js';
import { AlertSubscription } from './alert-subscription.js';
import { sampleEvent } from './sample-event.js';

describe('PubSubAlertSink on the Pub/Sub emulator', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let pubsub: PubSub;
  let topic: string;
  let subscription: AlertSubscription;

  before(async function () {
    emulator = await startPubSubEmulator();
    pubsub = pubSubClient(emulator);
  });

  after(async function () {
    await pubsub?.close();
    await emulator?.stop();
  });

  beforeEach(async function () {
    topic = `alerts-${randomUUID().slice(0, 8)}`;
    await pubsub.createTopic(topic);
    subscription = await AlertSubscription.create(emulator, topic, `${topic}-test`);
  });

  afterEach(async function () {
    await subscription.delete();
    await pubsub.topic(topic).delete();
  });

  it('publishes each event as its JSON with type, table, fingerprint and mode as attributes', async function () {
    const sink = new PubSubAlertSink({ pubsub, topic });
    const firing = sampleEvent();
    const resolved = sampleEvent({ type: 'resolved', table: 'team_defense_game_summary', fingerprint: 'fedcba9876543210' });
    await sink.send(firing);
    await sink.send(resolved);
    const pulled = await subscription.drain();
    assert.deepEqual(pulled.map((p) => p.event).sort((a, b) => a.type.localeCompare(b.type)), [firing, resolved]);
    assert.deepEqual(pulled.find((p) => p.event.type === 'resolved')?.attributes, {
      type: 'resolved', table: 'team_defense_game_summary', fingerprint: 'fedcba9876543210', mode: 'production',
    });
  });

  it('rejects when the topic does not exist', async function () {
    const sink = new PubSubAlertSink({ pubsub, topic: 'no-such-topic' });
    await assert.rejects(sink.send(sampleEvent()), (error: unknown) => (error as { code?: number }).code === 5);
  });
});
