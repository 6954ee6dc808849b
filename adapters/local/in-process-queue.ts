import pLimit, { type LimitFunction } from 'p-limit';
import { decodeChunkMessage, encodeChunkMessage, type ChunkMessage, type EncodedMessage } from '../../shared/chunks/chunk-message.js';
import type { ChunkQueue } from '../../shared/ports/queue.js';

/** What a subscriber learns about a delivery besides the message, as Pub/Sub tells it. */
export interface Delivery {
  readonly messageId: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** 1 on the first delivery, then 2, 3, ... (Pub/Sub's deliveryAttempt). */
  readonly deliveryAttempt: number;
}

/** Resolve to acknowledge; throw to have the message delivered again later. */
export type ChunkHandler = (message: ChunkMessage, delivery: Delivery) => Promise<void>;

export interface InProcessQueueOptions {
  readonly handler: ChunkHandler;
  /** Handlers running at once. */
  readonly concurrency: number;
  /** Deliveries of a message before it is given up (Pub/Sub's maxDeliveryAttempts). Default 5. */
  readonly maxDeliveryAttempts?: number;
  /** Redelivery waits minBackoffMs, doubling each time up to maxBackoffMs (Pub/Sub's retry policy). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Told about a message given up after its last delivery failed (where Pub/Sub would dead-letter it). */
  readonly onDeadLetter?: (message: ChunkMessage, error: unknown, delivery: Delivery) => void;
}

export const IN_PROCESS_QUEUE_DEFAULTS = {
  maxDeliveryAttempts: 5,
  minBackoffMs: 200,
  maxBackoffMs: 10_000,
} as const;

export class QueueClosedError extends Error {
  override readonly name = 'QueueClosedError';
}

/**
 * Pub/Sub's behaviour in one process, for local runs: each message is encoded as Pub/Sub carries it
 * and decoded for the handler, at most `concurrency` handlers run at once, and a handler that throws
 * gets the message again after a back-off, up to `maxDeliveryAttempts` deliveries.
 */
export class InProcessQueue implements ChunkQueue {
  private readonly limit: LimitFunction;
  private readonly handler: ChunkHandler;
  private readonly maxDeliveryAttempts: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly onDeadLetter: InProcessQueueOptions['onDeadLetter'];
  private nextId = 0;
  private unsettled = 0;
  private backingOff = 0;
  private deadLettered = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  private abandoning = false;

  constructor(options: InProcessQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, not ${options.concurrency}`);
    const attempts = options.maxDeliveryAttempts ?? IN_PROCESS_QUEUE_DEFAULTS.maxDeliveryAttempts;
    if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`maxDeliveryAttempts must be a positive integer, not ${attempts}`);
    this.limit = pLimit(options.concurrency);
    this.handler = options.handler;
    this.maxDeliveryAttempts = attempts;
    this.minBackoffMs = options.minBackoffMs ?? IN_PROCESS_QUEUE_DEFAULTS.minBackoffMs;
    this.maxBackoffMs = options.maxBackoffMs ?? IN_PROCESS_QUEUE_DEFAULTS.maxBackoffMs;
    this.onDeadLetter = options.onDeadLetter;
  }

  /** Messages published and not yet acknowledged or given up: waiting, in a handler, or backing off. */
  get pending(): number {
    return this.unsettled;
  }

  /** Handlers running now. */
  get active(): number {
    return this.limit.activeCount;
  }

  /** Messages waiting out a back-off before their next delivery. */
  get retrying(): number {
    return this.backingOff;
  }

  /** Messages given up after their last delivery failed. */
  get deadLetterCount(): number {
    return this.deadLettered;
  }

  /**
   * Accept the messages for delivery: all of them, or none when one does not validate
   * (InvalidInputError). Resolves once accepted, not once handled (see onIdle).
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a refusal is a rejection, as Pub/Sub's is
  async publish(messages: readonly ChunkMessage[]): Promise<void> {
    if (this.closed) throw new QueueClosedError('the in-process queue is closed');
    const encoded = messages.map((message) => {
      const wire = encodeChunkMessage(message);
      decodeChunkMessage(wire.data);
      return wire;
    });
    for (const wire of encoded) {
      this.unsettled += 1;
      this.schedule(wire, String((this.nextId += 1)), 1);
    }
  }

  /** Resolves when no message is waiting, running or backing off (now, if none is). */
  onIdle(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stop accepting messages and wait for the ones accepted, redeliveries included. */
  async close(options: { readonly abandonWaiting?: boolean } = {}): Promise<void> {
    this.closed = true;
    if (options.abandonWaiting) this.abandoning = true;
    await this.onIdle();
  }

  /**
   * Stop accepting messages, let the handlers running now finish, and drop every message not yet handed
   * to one (waiting, or backing off): for a worker that must stop now (its disk is full). Their chunks
   * stay queued in the ledger, where the next run finds them.
   */
  abandon(): Promise<void> {
    return this.close({ abandonWaiting: true });
  }

  private schedule(wire: EncodedMessage, messageId: string, deliveryAttempt: number): void {
    void this.limit(() => this.deliver(wire, { messageId, attributes: wire.attributes, deliveryAttempt }));
  }

  private async deliver(wire: EncodedMessage, delivery: Delivery): Promise<void> {
    if (this.abandoning) {
      this.settle();
      return;
    }
    // Decoded on every delivery, as a Pub/Sub subscriber would.
    const message = decodeChunkMessage(wire.data);
    try {
      await this.handler(message, delivery);
    } catch (error) {
      if (delivery.deliveryAttempt < this.maxDeliveryAttempts) {
        this.redeliverLater(wire, delivery);
        return;
      }
      this.deadLettered += 1;
      try {
        this.onDeadLetter?.(message, error, delivery);
      } catch {
        // A failing observer must not lose the queue's own bookkeeping.
      }
    }
    this.settle();
  }

  private redeliverLater(wire: EncodedMessage, delivery: Delivery): void {
    const backoffMs = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** (delivery.deliveryAttempt - 1));
    this.backingOff += 1;
    setTimeout(() => {
      this.backingOff -= 1;
      if (this.abandoning) this.settle();
      else this.schedule(wire, delivery.messageId, delivery.deliveryAttempt + 1);
    }, backoffMs);
  }

  private settle(): void {
    this.unsettled -= 1;
    if (this.unsettled > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
