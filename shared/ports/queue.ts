import type { ChunkMessage } from '../chunks/chunk-message.js';

/** Where work is sent: Pub/Sub in the cloud, an in-process queue with bounded concurrency locally. */
export interface ChunkQueue {
  publish(messages: readonly ChunkMessage[]): Promise<void>;
  close(): Promise<void>;
}
