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
 *
 * Every set of states the service reasons about is named here once, with its type; nothing else spells
 * out a list of states.
 */
export const CHUNK_STATES = ['pending', 'queued', 'running', 'succeeded', 'no_source', 'failed', 'dead'] as const;
export type ChunkState = (typeof CHUNK_STATES)[number];
export function isChunkState(value: unknown): value is ChunkState {
  return typeof value === 'string' && (CHUNK_STATES as readonly string[]).includes(value);
}

/** States that satisfy a downstream dependency: the partition was written and read back. */
export const DONE_STATES = ['succeeded', 'no_source'] as const satisfies readonly ChunkState[];
export type DoneState = (typeof DONE_STATES)[number];
/** States in which nothing more will happen without a new request or new raw data. */
export const TERMINAL_STATES = [...DONE_STATES, 'dead'] as const satisfies readonly ChunkState[];
export type TerminalState = (typeof TERMINAL_STATES)[number];
/** Work still to come: the run cannot end while one of its chunks is in one of these. */
export const UNFINISHED_STATES = ['pending', 'queued', 'running', 'failed'] as const satisfies readonly ChunkState[];
export type UnfinishedState = (typeof UNFINISHED_STATES)[number];
/** Not done: a dependency on a chunk in one of these is not satisfied (dead included: it never will be). */
export const NOT_DONE_STATES = [...UNFINISHED_STATES, 'dead'] as const satisfies readonly ChunkState[];
export type NotDoneState = (typeof NOT_DONE_STATES)[number];
/** States a worker may claim a chunk from (a running chunk only once its lease expired). */
export const CLAIMABLE_STATES = ['pending', 'queued', 'failed'] as const satisfies readonly ChunkState[];
export type ClaimableState = (typeof CLAIMABLE_STATES)[number];
/** In flight: a message is out for it or a worker holds it; the in-flight caps count these. */
export const IN_FLIGHT_STATES = ['queued', 'running'] as const satisfies readonly ChunkState[];
export type InFlightState = (typeof IN_FLIGHT_STATES)[number];
/** States a chunk can be sent back to work from: anything not in flight (queued or running chunks finish first). */
export const RESETTABLE_STATES = ['pending', 'failed', 'dead', 'succeeded', 'no_source'] as const satisfies readonly ChunkState[];
/** Ended without success: what `reprocess: failed` sends back to work. */
export const UNSUCCESSFUL_STATES = ['failed', 'dead', 'no_source'] as const satisfies readonly ChunkState[];
/** Broken: a failure was recorded (the reports list these with their last error). */
export const BROKEN_STATES = ['failed', 'dead'] as const satisfies readonly ChunkState[];
/** What one message's processing leaves a chunk it ran in: settled, failed, or back to wait (quota, blocked). */
export const RESULT_STATES = [...TERMINAL_STATES, 'failed', 'queued', 'pending'] as const satisfies readonly ChunkState[];
export type ResultState = (typeof RESULT_STATES)[number];

/** Whether `state` is one of `states`, narrowing it to that subset. */
export function isIn<const S extends readonly ChunkState[]>(states: S, state: ChunkState): state is S[number] {
  return (states as readonly ChunkState[]).includes(state);
}
export function isTerminal(state: ChunkState): state is TerminalState {
  return isIn(TERMINAL_STATES, state);
}
export function isDone(state: ChunkState): state is DoneState {
  return isIn(DONE_STATES, state);
}

/**
 * `interrupted`: a local run whose process ended before the run did (the local ledger knows: it holds the
 * data dir's lock, so no other process drives its runs). Nothing works on it until the same command, or
 * a retry, makes it active again. Never in the cloud, where reconcile drives every active run.
 */
export const RUN_STATES = ['active', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type RunState = (typeof RUN_STATES)[number];
