import type { BatchPublishOptions, PubSub, PublishOptions, Topic } from '@google-cloud/pubsub';
import { decodeChunkMessage, encodeChunkMessage, type ChunkMessage, type EncodedMessage } from '../../shared/chunks/chunk-message.js';
import type { ChunkQueue } from '../../shared/ports/queue.js';

export interface PubSubQueueOptions {
  readonly pubsub: PubSub;
  /** The topic's name (config CHUNKS_TOPIC), not its full path. */
  readonly topic: string;
  /** Batching and call options; batching defaults to PUBSUB_QUEUE_BATCHING. */
  readonly publishOptions?: PublishOptions;
  /** close() also closes the Pub/Sub client (when this queue is its only user). Default false. */
  readonly closeClientOnClose?: boolean;
}

/**
 * A reconcile publishes up to a few hundred small messages at once: send them in batches of 100
 * (Pub/Sub's default), waiting at most 10 ms for a batch to fill so a lone message is not held.
 */
export const PUBSUB_QUEUE_BATCHING: BatchPublishOptions = { maxMessages: 100, maxMilliseconds: 10, maxBytes: 1024 * 1024 };

export class QueueClosedError extends Error {
  override readonly name = 'QueueClosedError';
}

/** One Pub/Sub message per ChunkMessage: data is its JSON, attributes table, mode, runId and kind. */
export class PubSubQueue implements ChunkQueue {
  private readonly pubsub: PubSub;
  private readonly topic: Topic;
  private readonly closeClientOnClose: boolean;
  private closed = false;

  constructor(options: PubSubQueueOptions) {
    this.pubsub = options.pubsub;
    this.topic = options.pubsub.topic(options.topic, {
      ...options.publishOptions,
      batching: { ...PUBSUB_QUEUE_BATCHING, ...options.publishOptions?.batching },
    });
    this.closeClientOnClose = options.closeClientOnClose ?? false;
  }

  /**
   * Resolves when Pub/Sub has every message; rejects with the first publish error. A message that
   * does not validate rejects the call (InvalidInputError) before any message is sent.
   */
  async publish(messages: readonly ChunkMessage[]): Promise<void> {
    if (this.closed) throw new QueueClosedError(`the Pub/Sub queue for ${this.topic.name} is closed`);
    const encoded = messages.map(validated);
    await Promise.all(encoded.map(({ data, attributes }) => this.topic.publishMessage({ data, attributes })));
  }

  /** Send what is still batched, then refuse more. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.topic.flush();
    if (this.closeClientOnClose) await this.pubsub.close();
  }
}

/** Encoded as it will travel, and decoded back: what a subscriber could not read is never sent. */
function validated(message: ChunkMessage): EncodedMessage {
  const encoded = encodeChunkMessage(message);
  decodeChunkMessage(encoded.data);
  return encoded;
}
