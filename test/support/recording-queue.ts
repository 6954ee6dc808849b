import type { ChunkMessage } from '../../shared/chunks/chunk-message.js';
import { chunkId } from '../../shared/planning/ids.js';
import type { ChunkQueue } from '../../shared/ports/queue.js';

/**
 * A ChunkQueue that records every message it handed on, into a list that several queues (several
 * function instances) may share.
 */
export class RecordingQueue implements ChunkQueue {
  /** Runs once each publish resolved, before the publisher goes on: the place to inject a fault. */
  afterPublish: ((messages: readonly ChunkMessage[]) => Promise<void>) | undefined;

  constructor(
    private readonly inner: ChunkQueue,
    readonly published: ChunkMessage[] = [],
  ) {}

  async publish(messages: readonly ChunkMessage[]): Promise<void> {
    await this.inner.publish(messages);
    this.published.push(...messages);
    await this.afterPublish?.(messages);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** How many times each chunk went out in a message. */
export function publishesByChunk(messages: readonly ChunkMessage[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of messages) {
    for (const d of m.dates) {
      const id = chunkId(m.table, d, m.mode);
      out.set(id, (out.get(id) ?? 0) + 1);
    }
  }
  return out;
}
