import type { ChunkPatch, ChunkTransition, Ledger } from '../ports/ledger.js';

/** A queued chunk put back: no message of a cancelled run will run it, and it holds no place in flight. */
const RELEASED: ChunkPatch = { leaseOwner: null, leaseExpiresAt: null, queuedAt: null };

/**
 * Put chunks that are still queued back to pending (compare-and-set: a chunk claimed meanwhile is left
 * alone). A chunk another active run shares is published again by that run's reconcile.
 */
export async function releaseQueued(ledger: Ledger, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const changed = await ledger.transition(ids.map((id): ChunkTransition => ({ id, from: ['queued'], to: 'pending', patch: RELEASED })));
  return changed.length;
}
