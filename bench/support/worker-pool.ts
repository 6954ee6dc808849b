import type { ChunkMessage } from '../../shared/chunks/chunk-message.js';
import type { ChunkProcessor } from '../../shared/chunks/process-chunks.js';
import { retryDelayMs } from '../../shared/chunks/backoff.js';
import type { SimClock } from '../simulator/sim-clock.js';

/** One delivery of a message, as a push subscription makes it. */
export interface Delivery {
  readonly message: ChunkMessage;
  /** 1 on the first delivery. */
  readonly attempt: number;
  ack(): void;
  /** Deliver again (the transport's redelivery, after the back-off the pool already waited). */
  nack(): void;
}

export interface WorkerPoolOptions {
  /** One processor per processChunk instance (each its own worker id); each handles one message at a time. */
  readonly processors: readonly ChunkProcessor[];
  readonly clock: SimClock;
  /** Pub/Sub's retry policy on the push subscription: minimum and maximum back-off before a redelivery. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** Modelled push latency, publish to handler. */
  readonly deliveryMs: number;
}

export interface PoolStats {
  deliveries: number;
  acked: number;
  redelivered: number;
  maxBusy: number;
}

/**
 * The processChunk instances behind a push subscription: at most `instances` messages handled at
 * once; a message the processor does not acknowledge is redelivered after the subscription's
 * exponential back-off, in modelled time, without holding an instance meanwhile.
 */
export class WorkerPool {
  readonly stats: PoolStats = { deliveries: 0, acked: 0, redelivered: 0, maxBusy: 0 };
  private readonly free: ChunkProcessor[];
  private readonly waiting: Delivery[] = [];
  private handling = 0;
  private settledWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: WorkerPoolOptions) {
    if (options.processors.length === 0) throw new RangeError('a worker pool needs at least one processor');
    this.free = [...options.processors];
  }

  /** Messages received and not yet acknowledged or handed back for redelivery. */
  get busy(): number {
    return this.handling;
  }

  submit(delivery: Delivery): void {
    this.handling += 1;
    this.stats.deliveries += 1;
    void this.options.clock.sleep(this.options.deliveryMs).then(() => {
      this.waiting.push(delivery);
      this.dispatch();
    });
  }

  /** Resolves when the next message settles. */
  whenSettled(): Promise<void> {
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  whenIdle(): Promise<void> {
    if (this.handling === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Hand waiting deliveries to free instances, first come first served. */
  private dispatch(): void {
    while (this.free.length && this.waiting.length) {
      const processor = this.free.pop() as ChunkProcessor;
      const delivery = this.waiting.shift() as Delivery;
      this.stats.maxBusy = Math.max(this.stats.maxBusy, this.options.processors.length - this.free.length);
      void this.handle(processor, delivery).finally(() => {
        this.free.push(processor);
        this.settled();
        this.dispatch();
      });
    }
  }

  private async handle(processor: ChunkProcessor, delivery: Delivery): Promise<void> {
    let ack = false;
    try {
      ack = (await processor.process(delivery.message)).ack;
    } catch {
      // A throw is a 500 from the function: Pub/Sub redelivers.
    }
    if (ack) {
      this.stats.acked += 1;
      delivery.ack();
      return;
    }
    this.stats.redelivered += 1;
    const backoff = retryDelayMs(delivery.attempt, this.options.retryMinMs, this.options.retryMaxMs);
    // The instance is free at once; the subscription holds the message for the back-off.
    void this.options.clock.sleep(backoff).then(() => delivery.nack());
  }

  private settled(): void {
    this.handling -= 1;
    for (const resolve of this.settledWaiters.splice(0)) resolve();
    if (this.handling === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
