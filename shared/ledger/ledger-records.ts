import { CHUNK_STATES, RUN_STATES, isChunkState, type ChunkState, type RunState } from '../chunks/chunk-state.js';
import { STATE_KEY_PATTERN } from '../ports/ledger.js';
import type { ChunkCount, ChunkPatch, ChunkQuery, ChunkRecord, ChunkTransition, NewChunk, RunRecord } from '../ports/ledger.js';
import type { BackfillRequest } from '../planning/backfill-request.js';
import { ANALYTICS_TABLES, isAnalyticsTable, isRunMode, type AnalyticsTableName } from '../tables/names.js';

/**
 * The ledger's rules, as pure functions over records, so every Ledger adapter decides the same way:
 * when a transition applies, what it writes, what a new chunk looks like, how lists are ordered.
 */

export const CHUNK_PATCH_FIELDS = [
  'attempts', 'priorAttempts', 'quotaRetries', 'leaseOwner', 'leaseExpiresAt', 'nextAttemptAt', 'lastError',
  'rowsWritten', 'rowsFound', 'expectedRows', 'durationMs', 'queuedAt', 'startedAt', 'finishedAt', 'updatedAt',
] as const satisfies ReadonlyArray<keyof ChunkPatch>;

export type RunPatch = Partial<Omit<RunRecord, 'id' | 'request'>>;
export const RUN_PATCH_FIELDS = ['state', 'chunkCount', 'createdAt', 'updatedAt', 'finishedAt', 'outcome', 'roundStartedAt'] as const satisfies ReadonlyArray<keyof RunPatch>;

// Compile-time: a field added to a patch type but not to its list fails here.
type Exhaustive<Missing extends never> = Missing;
type _ChunkPatchListed = Exhaustive<Exclude<keyof ChunkPatch, (typeof CHUNK_PATCH_FIELDS)[number]>>;
type _RunPatchListed = Exhaustive<Exclude<keyof RunPatch, (typeof RUN_PATCH_FIELDS)[number]>>;

/** A new chunk, linked to the run that planned it. */
export function newChunkRecord(chunk: NewChunk, runId: string, now: number): ChunkRecord {
  return {
    id: chunk.id,
    table: chunk.table,
    gameDate: chunk.gameDate,
    mode: chunk.mode,
    runIds: [runId],
    state: 'pending',
    attempts: 0,
    priorAttempts: 0,
    quotaRetries: 0,
    leaseOwner: null,
    leaseExpiresAt: null,
    nextAttemptAt: null,
    lastError: null,
    rowsWritten: null,
    rowsFound: null,
    expectedRows: null,
    durationMs: null,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    updatedAt: now,
  };
}

/**
 * Whether a transition's compare-and-set holds for the chunk as it is. A chunk without a lease
 * (leaseExpiresAt null) has nothing left to protect, so `leaseExpiredBy` lets it through.
 */
export function transitionApplies(chunk: ChunkRecord, transition: ChunkTransition): boolean {
  if (!transition.from.includes(chunk.state)) return false;
  if (transition.leaseOwner !== undefined && chunk.leaseOwner !== transition.leaseOwner) return false;
  if (transition.leaseExpiredBy !== undefined && chunk.leaseExpiresAt !== null && chunk.leaseExpiresAt > transition.leaseExpiredBy) return false;
  return true;
}

/** The fields a transition writes: the new state, the patch (undefined keys left out) and updatedAt. */
export function transitionChanges(transition: ChunkTransition, now: number): ChunkPatch & Pick<ChunkRecord, 'state' | 'updatedAt'> {
  const patch = pickDefined(transition.patch ?? {}, CHUNK_PATCH_FIELDS);
  return { ...patch, state: transition.to, updatedAt: patch.updatedAt ?? now };
}

/** The chunk after the transition, or null when the compare-and-set does not hold. */
export function applyTransition(chunk: ChunkRecord, transition: ChunkTransition, now: number): ChunkRecord | null {
  if (!transitionApplies(chunk, transition)) return null;
  return { ...chunk, ...transitionChanges(transition, now) };
}

export function runChanges(patch: RunPatch, now: number): RunPatch & Pick<RunRecord, 'updatedAt'> {
  const picked = pickDefined(patch, RUN_PATCH_FIELDS);
  return { ...picked, updatedAt: picked.updatedAt ?? now };
}

export function runPatchApplies(run: RunRecord, from: readonly RunState[]): boolean {
  return from.includes(run.state);
}

export function matchesChunkQuery(chunk: ChunkRecord, query: ChunkQuery): boolean {
  if (query.runId !== undefined && !chunk.runIds.includes(query.runId)) return false;
  if (query.states !== undefined && !query.states.includes(chunk.state)) return false;
  if (query.table !== undefined && chunk.table !== query.table) return false;
  if (query.mode !== undefined && chunk.mode !== query.mode) return false;
  if (query.gameDateFrom !== undefined && chunk.gameDate < query.gameDateFrom) return false;
  if (query.gameDateTo !== undefined && chunk.gameDate > query.gameDateTo) return false;
  if (query.leaseExpiredBy !== undefined && (chunk.leaseExpiresAt === null || chunk.leaseExpiresAt > query.leaseExpiredBy)) return false;
  return true;
}

/**
 * The order chunks are listed in: by id; by game date then id when the query bounds the date; by lease expiry then id
 * when it bounds the lease (Firestore orders by the field of a range filter first).
 */
export function chunkListOrder(query: ChunkQuery): (a: ChunkRecord, b: ChunkRecord) => number {
  if (query.leaseExpiredBy !== undefined) return (a, b) => (a.leaseExpiresAt ?? 0) - (b.leaseExpiresAt ?? 0) || compareChunkIds(a, b);
  if (query.gameDateFrom === undefined && query.gameDateTo === undefined) return compareChunkIds;
  return (a, b) => (a.gameDate < b.gameDate ? -1 : a.gameDate > b.gameDate ? 1 : compareChunkIds(a, b));
}

/** Chunks are listed by id (what Firestore does without an order, so both adapters agree). */
export function compareChunkIds(a: { readonly id: string }, b: { readonly id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Runs are listed newest first; ties by id, descending (Firestore's implicit order after createdAt desc). */
export function compareRunsNewestFirst(a: RunRecord, b: RunRecord): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return compareChunkIds(b, a);
}

/** Counts in table order (dependency order), then state order (the chunk's life). */
export function compareChunkCounts(a: ChunkCount, b: ChunkCount): number {
  const byTable = ANALYTICS_TABLES.indexOf(a.table) - ANALYTICS_TABLES.indexOf(b.table);
  return byTable !== 0 ? byTable : CHUNK_STATES.indexOf(a.state) - CHUNK_STATES.indexOf(b.state);
}

/** Tally chunks by (table, state); only non-zero counts, in the order above. */
export function tallyChunks(chunks: Iterable<ChunkRecord>): ChunkCount[] {
  const counts = new Map<string, ChunkCount>();
  for (const chunk of chunks) {
    const key = `${chunk.table}\u0000${chunk.state}`;
    const previous = counts.get(key);
    counts.set(key, { table: chunk.table, state: chunk.state, count: (previous?.count ?? 0) + 1 });
  }
  return [...counts.values()].sort(compareChunkCounts);
}

/** Chunks in these states per table, tables with none left out (countChunksByTable of the ledgers that hold them all). */
export function tallyByTable(chunks: Iterable<ChunkRecord>, states: readonly ChunkState[]): Partial<Record<AnalyticsTableName, number>> {
  const byTable: Partial<Record<AnalyticsTableName, number>> = {};
  for (const chunk of chunks) if (states.includes(chunk.state)) byTable[chunk.table] = (byTable[chunk.table] ?? 0) + 1;
  return byTable;
}

export class CorruptRecordError extends Error {
  override readonly name = 'CorruptRecordError';
}

/** A stored chunk back into a record; every field checked, unknown fields dropped. */
export function chunkFromData(id: string, data: Readonly<Record<string, unknown>>): ChunkRecord {
  const fail = (field: string): never => {
    throw new CorruptRecordError(`stored chunk ${id} has a bad ${field}: ${JSON.stringify(data[field])}`);
  };
  const { table, mode, state, gameDate, runIds } = data;
  if (!isAnalyticsTable(table)) return fail('table');
  if (!isRunMode(mode)) return fail('mode');
  if (!isChunkState(state)) return fail('state');
  if (typeof gameDate !== 'string') return fail('gameDate');
  if (!Array.isArray(runIds) || !runIds.every((r) => typeof r === 'string')) return fail('runIds');
  const num = (field: string): number | null => {
    const value = data[field];
    if (value === null || value === undefined) return null;
    return typeof value === 'number' ? value : fail(field);
  };
  const str = (field: string): string | null => {
    const value = data[field];
    if (value === null || value === undefined) return null;
    return typeof value === 'string' ? value : fail(field);
  };
  return {
    id,
    table,
    gameDate,
    mode,
    runIds,
    state,
    attempts: num('attempts') ?? 0,
    priorAttempts: num('priorAttempts') ?? 0,
    quotaRetries: num('quotaRetries') ?? 0,
    leaseOwner: str('leaseOwner'),
    leaseExpiresAt: num('leaseExpiresAt'),
    nextAttemptAt: num('nextAttemptAt'),
    lastError: str('lastError'),
    rowsWritten: num('rowsWritten'),
    rowsFound: num('rowsFound'),
    expectedRows: num('expectedRows'),
    durationMs: num('durationMs'),
    queuedAt: num('queuedAt'),
    startedAt: num('startedAt'),
    finishedAt: num('finishedAt'),
    updatedAt: num('updatedAt') ?? 0,
  };
}

/** A stored run back into a record. */
export function runFromData(id: string, data: Readonly<Record<string, unknown>>): RunRecord {
  const fail = (field: string): never => {
    throw new CorruptRecordError(`stored run ${id} has a bad ${field}: ${JSON.stringify(data[field])}`);
  };
  const { state, request, chunkCount, createdAt, updatedAt, finishedAt, outcome, roundStartedAt } = data;
  if (typeof state !== 'string' || !(RUN_STATES as readonly string[]).includes(state)) return fail('state');
  if (typeof request !== 'object' || request === null) return fail('request');
  if (typeof chunkCount !== 'number') return fail('chunkCount');
  if (typeof createdAt !== 'number') return fail('createdAt');
  if (typeof updatedAt !== 'number') return fail('updatedAt');
  if (finishedAt !== null && finishedAt !== undefined && typeof finishedAt !== 'number') return fail('finishedAt');
  if (outcome !== null && outcome !== undefined && typeof outcome !== 'string') return fail('outcome');
  if (roundStartedAt !== undefined && typeof roundStartedAt !== 'number') return fail('roundStartedAt');
  const stored = request as Partial<BackfillRequest>;
  return {
    id,
    // Runs recorded before reprocessing existed asked for none.
    request: { ...stored, reprocess: stored.reprocess ?? 'none' } as BackfillRequest,
    state: state as RunState,
    chunkCount,
    createdAt,
    updatedAt,
    finishedAt: finishedAt ?? null,
    outcome: outcome ?? null,
    roundStartedAt: roundStartedAt ?? createdAt,
  };
}

/** Freeze a record (and its run ids) so a caller can never change what an adapter holds. */
export function frozenChunk(chunk: ChunkRecord): ChunkRecord {
  Object.freeze(chunk.runIds);
  return Object.freeze(chunk);
}

export function frozenRun(run: RunRecord): RunRecord {
  Object.freeze(run.request.tables);
  Object.freeze(run.request.excludeDates);
  Object.freeze(run.request);
  return Object.freeze(run);
}

function pickDefined<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key];
  return picked;
}

/** A state key the ledgers accept (STATE_KEY_PATTERN): anything else is a bug of the caller. */
export function assertStateKey(key: string): void {
  if (!STATE_KEY_PATTERN.test(key)) throw new Error(`not a state key: ${JSON.stringify(key)}`);
}
