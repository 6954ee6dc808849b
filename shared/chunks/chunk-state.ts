/**
 * A chunk is one (table, game date, mode). Its life:
 *
 *   pending -> queued -> running -> succeeded | no_source | failed
 *   failed  -> queued (retry after backoff) ... -> dead (max attempts)
 *   running -> queued (lease expired: the worker died)
 *
 * `no_source`: the transform ran and its rows are in the warehouse, but the raw data for the date is
 * short (contract: fewer than 5 active players for a team in the gamebook, or no team box score), so
 * the date cannot be complete until the raw data arrives. It is never counted as a success.
 */
export const CHUNK_STATES = ['pending', 'queued', 'running', 'succeeded', 'no_source', 'failed', 'dead'] as const;
export type ChunkState = (typeof CHUNK_STATES)[number];
export function isChunkState(value: unknown): value is ChunkState {
  return typeof value === 'string' && (CHUNK_STATES as readonly string[]).includes(value);
}

/** States in which nothing more will happen without a new request or new raw data. */
export const TERMINAL_STATES: readonly ChunkState[] = ['succeeded', 'no_source', 'dead'];
/** States that satisfy a downstream dependency: the partition was written and read back. */
export const DONE_STATES: readonly ChunkState[] = ['succeeded', 'no_source'];

export function isTerminal(state: ChunkState): boolean {
  return TERMINAL_STATES.includes(state);
}
export function isDone(state: ChunkState): boolean {
  return DONE_STATES.includes(state);
}

/**
 * `interrupted`: a local run whose process ended before the run did (the local ledger knows: it holds the
 * data dir's lock, so no other process drives its runs). Nothing works on it until the same command, or
 * a retry, makes it active again. Never in the cloud, where reconcile drives every active run.
 */
export const RUN_STATES = ['active', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type RunState = (typeof RUN_STATES)[number];
