import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { decodeChunkMessage, encodeChunkMessage, type ChunkMessage } from '../../shared/chunks/chunk-message.js';
import type { ChunkQueue } from '../../shared/ports/queue.js';
import { PubSubQueue } from '../../adapters/pubsub/pubsub-queue.js';
import type { RealWork } from '../simulator/auto-advance.js';
import type { SimClock } from '../simulator/sim-clock.js';
import type { Delivery, WorkerPool } from './worker-pool.js';

/** Modelled latency of one publish call (Pub/Sub acknowledges a batch in ~20 ms). */
export const PUBLISH_MS = 20;

export interface QueueStats {
  published: number;
  received: number;
  duplicates: number;
}

/** A benchmark queue: the ChunkQueue the core publishes to, feeding the worker pool. */
export interface BenchQueue extends ChunkQueue {
  readonly kind: string;
  readonly stats: QueueStats;
}

/** In-process delivery in modelled time: the local runs of the comparison table. */
export class ModelledQueue implements BenchQueue {
  readonly kind = 'in-process';
  readonly stats: QueueStats = { published: 0, received: 0, duplicates: 0 };

  constructor(private readonly pool: WorkerPool, private readonly clock: SimClock) {}

  async publish(messages: readonly ChunkMessage[]): Promise<void> {
    // Encoded and decoded as Pub/Sub carries them, so a message that would not travel fails here too.
    const wire = messages.map((m) => encodeChunkMessage(m).data);
    for (const data of wire) decodeChunkMessage(data);
    await this.clock.sleep(PUBLISH_MS);
    this.stats.published += wire.length;
    for (const data of wire) this.deliver(decodeChunkMessage(data), 1);
  }

  async close(): Promise<void> {}

  private deliver(message: ChunkMessage, attempt: number): void {
    this.stats.received += 1;
    this.pool.submit({ message, attempt, ack: () => undefined, nack: () => this.deliver(message, attempt + 1) });
  }
}

/**
 * The Pub/Sub emulator between reconcile and the workers: PubSubQueue publishes to a topic, a pull
 * subscription hands each message to the worker pool (as a push subscription would hand it to an
 * instance), and acks or nacks it as processChunk's answer says. Messages on their way count as real
 * work, so virtual time waits for the emulator to deliver them.
 */
export class EmulatorQueue implements BenchQueue {
  readonly kind = 'Pub/Sub emulator';
  readonly stats: QueueStats = { published: 0, received: 0, duplicates: 0 };
  private readonly seen = new Set<string>();
  /** Messages nacked and expected again. */
  private readonly redeliveries = new Map<string, number>();
  private readonly attempts = new Map<string, number>();

  private constructor(
    private readonly queue: PubSubQueue,
    private readonly subscription: Subscription,
    private readonly pool: WorkerPool,
    private readonly clock: SimClock,
    private readonly work: RealWork,
  ) {
    subscription.on('message', (message: Message) => this.receive(message));
    subscription.on('error', (error: unknown) => {
      console.error('pull subscription error', error);
    });
  }

  static async open(options: {
    readonly pubsub: PubSub; readonly topic: string; readonly pool: WorkerPool; readonly clock: SimClock; readonly work: RealWork;
  }): Promise<EmulatorQueue> {
    const [topic] = await options.pubsub.createTopic(options.topic);
    const [created] = await topic.createSubscription(`${options.topic}-pull`, { ackDeadlineSeconds: 600 });
    // Flow control is the pool's job (it waits in modelled time); the client must not hold messages back.
    const subscription = options.pubsub.subscription(created.name, {
      flowControl: { maxMessages: 10_000, allowExcessMessages: true },
    });
    const queue = new PubSubQueue({ pubsub: options.pubsub, topic: options.topic });
    return new EmulatorQueue(queue, subscription, options.pool, options.clock, options.work);
  }

  async publish(messages: readonly ChunkMessage[]): Promise<void> {
    this.work.expect(messages.length);
    try {
      await this.work.track(() => this.queue.publish(messages));
    } catch (error) {
      this.work.arrived(messages.length);
      throw error;
    }
    this.stats.published += messages.length;
    await this.clock.sleep(PUBLISH_MS);
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.subscription.removeAllListeners('message');
    await this.subscription.close();
  }

  /** Delete the subscription and topic. */
  async delete(pubsub: PubSub, topic: string): Promise<void> {
    await this.subscription.delete().catch(() => undefined);
    await pubsub.topic(topic).delete().catch(() => undefined);
  }

  private receive(message: Message): void {
    const waiting = this.redeliveries.get(message.id) ?? 0;
    if (waiting > 0) {
      this.redeliveries.set(message.id, waiting - 1);
    } else if (this.seen.has(message.id)) {
      // The emulator redelivered one we still hold (an ack deadline passed in real time): the first wins.
      this.stats.duplicates += 1;
      return;
    } else {
      this.seen.add(message.id);
    }
    this.stats.received += 1;
    this.work.arrived(1);
    const attempt = (this.attempts.get(message.id) ?? 0) + 1;
    this.attempts.set(message.id, attempt);
    const delivery: Delivery = {
      message: decodeChunkMessage(message.data),
      attempt,
      ack: () => message.ack(),
      nack: () => {
        this.redeliveries.set(message.id, (this.redeliveries.get(message.id) ?? 0) + 1);
        this.work.expect(1);
        message.nack();
      },
    };
    this.pool.submit(delivery);
  }
}
