import { mulberry32 } from '../../sample/prng.js';
import type { ChunkMessage } from '../../shared/chunks/chunk-message.js';
import type { ChunkQueue } from '../../shared/ports/queue.js';

/**
 * Pub/Sub promises no order. This queue accepts a batch at once, as Pub/Sub does, then hands its
 * messages on in reverse order, each after its own random delay (seeded, so a failure replays), and
 * keeps every message so a test can send them all again, late, in any order.
 */
export class ReorderingQueue implements ChunkQueue {
  /** Every message accepted, in the order publish() got them. */
  readonly history: ChunkMessage[] = [];
  /** Errors of the delayed hand-offs (a lost message): a test asserts there are none. */
  readonly errors: unknown[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly random: () => number;

  constructor(
    private readonly inner: ChunkQueue,
    private readonly options: { readonly maxDelayMs: number; readonly seed: number },
  ) {
    this.random = mulberry32(options.seed);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- accepted at once, as Pub/Sub accepts a publish
  async publish(messages: readonly ChunkMessage[]): Promise<void> {
    this.history.push(...messages);
    for (const message of [...messages].reverse()) {
      const delayMs = Math.floor(this.random() * this.options.maxDelayMs);
      const handOff = new Promise<void>((resolve) => setTimeout(resolve, delayMs))
        .then(() => this.inner.publish([message]))
        .catch((error: unknown) => void this.errors.push(error));
      this.inFlight.add(handOff);
      void handOff.finally(() => this.inFlight.delete(handOff));
    }
  }

  /** Send every message ever accepted again, newest first; resolves when Pub/Sub has them all. */
  async replayAll(): Promise<number> {
    const all = [...this.history].reverse();
    await this.inner.publish(all);
    return all.length;
  }

  /** Hand-offs still waiting out their delay. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  async close(): Promise<void> {
    await this.settled();
    await this.inner.close();
  }
}
