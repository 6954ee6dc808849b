import type { ChunkMessage } from '../../shared/chunks/chunk-message.js';
import type { ChunkQueue } from '../../shared/ports/queue.js';

/**
 * A ChunkQueue that publishes every message `copies` times: Pub/Sub's at-least-once delivery at its
 * worst, for the idempotency tests.
 */
export class DuplicatingQueue implements ChunkQueue {
  /** Chunks (one per date of a message) handed to publish(), before copying. */
  published = 0;

  constructor(
    private readonly inner: ChunkQueue,
    private readonly copies = 2,
  ) {}

  async publish(messages: readonly ChunkMessage[]): Promise<void> {
    this.published += messages.reduce((n, m) => n + m.dates.length, 0);
    await this.inner.publish(messages.flatMap((m) => Array.from({ length: this.copies }, () => m)));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
