import type { ChunkState, RunState } from '../../shared/chunks/chunk-state.js';
import type { ChunkQuery } from '../../shared/ports/ledger.js';

/**
 * The filters the Firestore ledger puts on its queries, in one place, so the composite indexes in
 * indexes.ts can be checked against what is really asked (the emulator does not enforce indexes;
 * production rejects a query without one).
 */

export type ChunkFilterField = 'runIds' | 'table' | 'mode' | 'state' | 'gameDate' | 'leaseExpiresAt';

export interface QueryFilter {
  readonly field: string;
  readonly op: '==' | '!=' | 'in' | 'array-contains' | '>=' | '<=' | '<';
  readonly value: unknown;
}

/**
 * Chunk filters in a fixed field order: run, table, mode, state, then the game date range. Ordered by document
 * id after, or by gameDate then document id with a date range (Firestore orders by the range field first).
 */
export function chunkFilters(query: Pick<ChunkQuery, 'runId' | 'table' | 'mode' | 'states' | 'gameDateFrom' | 'gameDateTo' | 'leaseExpiredBy'>): QueryFilter[] {
  const filters: QueryFilter[] = [];
  if (query.runId !== undefined) filters.push({ field: 'runIds', op: 'array-contains', value: query.runId });
  if (query.table !== undefined) filters.push({ field: 'table', op: '==', value: query.table });
  if (query.mode !== undefined) filters.push({ field: 'mode', op: '==', value: query.mode });
  if (query.states !== undefined) filters.push(stateFilter(query.states));
  if (query.gameDateFrom !== undefined) filters.push({ field: 'gameDate', op: '>=', value: query.gameDateFrom });
  if (query.gameDateTo !== undefined) filters.push({ field: 'gameDate', op: '<=', value: query.gameDateTo });
  if (query.leaseExpiredBy !== undefined) filters.push({ field: 'leaseExpiresAt', op: '<=', value: query.leaseExpiredBy });
  return filters;
}

/** Fields a chunk query is ordered by, before the document id. */
export function chunkOrder(query: Pick<ChunkQuery, 'gameDateFrom' | 'gameDateTo' | 'leaseExpiredBy'>): string[] {
  if (query.leaseExpiredBy !== undefined) return ['leaseExpiresAt'];
  return query.gameDateFrom !== undefined || query.gameDateTo !== undefined ? ['gameDate'] : [];
}

/** Run filters; runs are ordered newest first (createdAt descending). */
export function runFilters(states: readonly RunState[] | undefined): QueryFilter[] {
  return states === undefined ? [] : [stateFilter(states)];
}

/**
 * The field every chunk write stamps with the server's time; the listing copy (chunk-mirror.ts) reads the chunks
 * changed since a time by it.
 */
export const CHANGED_AT = 'changedAt';

/**
 * The field every chunk write stamps with the writing ledger instance's id (FirestoreLedger#writerId): the listing
 * copy does not read back what its own instance wrote, which it knows already. A chunk written before this field
 * existed is not in a delta until it is written again: "`!=` finds documents where a specified field's value does
 * not equal the specified value. Neither query operator will match documents where the specified field is not
 * present" (Firestore's release note of `!=`, https://firebase.google.com/support/release-notes/js#version_7210_-_september_17_2020);
 * the copy's whole read every reloadEveryMs sees it.
 */
export const CHANGED_BY = 'changedBy';

/**
 * The listing copy's delta: every chunk changed at or after `since` (a Firestore Timestamp) by another ledger
 * instance than `writer`, any run, any state, ordered by `changedAt` first. At or after: `changedAt` has millisecond
 * precision, a read time finer, so a change in the millisecond of the last read is read again rather than missed.
 *
 * Two inequality fields need a composite index (changedAt, changedBy: indexes.ts), and Firestore bills "The number
 * of index entries read to satisfy a query" besides the documents returned (https://cloud.google.com/firestore/pricing).
 * Ordered by `changedAt` first, the query scans the index entries of the chunks changed since, as the single-field
 * query before it did, and skips this instance's own among them; ordered by `changedBy` first it would scan every
 * chunk's entry written by other instances, whenever ("To influence the index that Cloud Firestore uses to execute
 * the query, specify an orderBy clause that orders the salary constraint before the experience constraint",
 * https://cloud.google.com/firestore/docs/query-data/multiple-range-optimize-indexes).
 */
export function changedSinceFilters(since: unknown, writer: string): QueryFilter[] {
  return [{ field: CHANGED_AT, op: '>=', value: since }, { field: CHANGED_BY, op: '!=', value: writer }];
}

/** The order of the delta query: the selective range first (see changedSinceFilters). */
export const CHANGED_ORDER = [CHANGED_AT, CHANGED_BY] as const;

/**
 * A number every chunk write adds one to (FieldValue.increment; 1 when created): the sum of it over the chunks
 * changed in a window of time moves whenever any of them is written again, which a count alone would not show.
 */
export const REVISION = 'revision';

/** The chunks changed in [from, to) by another ledger instance than `writer` (the listing copy's margin window). */
export function changedBetweenFilters(from: unknown, to: unknown, writer: string): QueryFilter[] {
  return [{ field: CHANGED_AT, op: '>=', value: from }, { field: CHANGED_AT, op: '<', value: to }, { field: CHANGED_BY, op: '!=', value: writer }];
}

export const RUN_ORDER = { field: 'createdAt', direction: 'desc' } as const;

function stateFilter(states: readonly (ChunkState | RunState)[]): QueryFilter {
  return states.length === 1 ? { field: 'state', op: '==', value: states[0] } : { field: 'state', op: 'in', value: [...states] };
}
