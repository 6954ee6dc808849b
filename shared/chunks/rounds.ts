import type { ChunkRecord, ChunkTransition } from '../ports/ledger.js';
import type { ReprocessMode } from '../planning/backfill-request.js';
import { isIn, RESETTABLE_STATES, UNSUCCESSFUL_STATES } from './chunk-state.js';

/**
 * Another round for a chunk: back to pending with a fresh set of attempts. The attempts spent so far move to
 * priorAttempts and the last error stays, so the chunk keeps its history. A compare-and-set on the state it was
 * read in: a chunk that moved meanwhile is left alone.
 */
export function anotherRound(chunk: ChunkRecord): ChunkTransition {
  return {
    id: chunk.id,
    from: [chunk.state],
    to: 'pending',
    patch: {
      attempts: 0,
      priorAttempts: chunk.priorAttempts + chunk.attempts,
      nextAttemptAt: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      queuedAt: null,
    },
  };
}

/**
 * Pure: which of a run's chunks go back to work when the run is asked for (again). Always those whose partition
 * the warehouse does not hold current (`rebuild`), unless in flight or already pending; with `failed` also those
 * that ended failed, dead or no_source before this round began; with `all` every chunk that finished before it.
 */
export function chunksToRedo(chunks: readonly ChunkRecord[], rebuild: ReadonlySet<string>, reprocess: ReprocessMode, roundStartedAt: number): ChunkTransition[] {
  const before = (c: ChunkRecord) => (c.finishedAt ?? c.updatedAt) < roundStartedAt;
  return chunks
    .filter((c) => c.state !== 'pending' && isIn(RESETTABLE_STATES, c.state))
    .filter((c) => {
      if (rebuild.has(c.id) && c.state !== 'failed') return true;
      if (reprocess === 'failed') return isIn(UNSUCCESSFUL_STATES, c.state) && before(c);
      if (reprocess === 'all') return before(c);
      return false;
    })
    .map(anotherRound);
}
