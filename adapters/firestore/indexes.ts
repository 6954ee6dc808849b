/**
 * The composite indexes the Firestore ledger's queries need, as data for infra/ to declare
 * (google_firestore_index) and for a test to check against the queries the ledger really makes
 * (ledger-queries.ts). Single-field indexes are Firestore's automatic ones.
 *
 * Chunk queries filter on any of runIds (array-contains), table, mode, state (== or in), in that
 * order, and are ordered by document id; count() aggregations use runIds + table + state. Run
 * queries filter on state and order by createdAt descending.
 */

export type LedgerCollection = 'runs' | 'chunks';

export type FirestoreIndexField =
  | { readonly fieldPath: string; readonly order: 'ASCENDING' | 'DESCENDING' }
  | { readonly fieldPath: string; readonly arrayConfig: 'CONTAINS' };

export interface FirestoreIndex {
  /** The collection id without the prefix (FIRESTORE_COLLECTION_PREFIX): the real one is prefix + this. */
  readonly collection: LedgerCollection;
  readonly queryScope: 'COLLECTION';
  readonly fields: readonly FirestoreIndexField[];
}

const runIds = { fieldPath: 'runIds', arrayConfig: 'CONTAINS' } as const;
const table = { fieldPath: 'table', order: 'ASCENDING' } as const;
const mode = { fieldPath: 'mode', order: 'ASCENDING' } as const;
const state = { fieldPath: 'state', order: 'ASCENDING' } as const;

const chunkIndex = (...fields: FirestoreIndexField[]): FirestoreIndex => ({ collection: 'chunks', queryScope: 'COLLECTION', fields });

export const FIRESTORE_INDEXES: readonly FirestoreIndex[] = [
  { collection: 'runs', queryScope: 'COLLECTION', fields: [state, { fieldPath: 'createdAt', order: 'DESCENDING' }] },
  chunkIndex(runIds, table),
  chunkIndex(runIds, mode),
  chunkIndex(runIds, state),
  chunkIndex(runIds, table, mode),
  chunkIndex(runIds, table, state),
  chunkIndex(runIds, mode, state),
  chunkIndex(runIds, table, mode, state),
  chunkIndex(table, mode),
  chunkIndex(table, state),
  chunkIndex(mode, state),
  chunkIndex(table, mode, state),
  // A worker's check that the inputs it reads are done: not-done chunks of a table and mode, by game date.
  chunkIndex(table, mode, state, { fieldPath: 'gameDate', order: 'ASCENDING' }),
  // Reconcile's search for chunks in flight whose lease ran out (their worker died), by lease expiry.
  chunkIndex(state, { fieldPath: 'leaseExpiresAt', order: 'ASCENDING' }),
  // The listing copy's delta (chunk-mirror.ts): changed since a time, by another ledger instance, changedAt first.
  chunkIndex({ fieldPath: 'changedAt', order: 'ASCENDING' }, { fieldPath: 'changedBy', order: 'ASCENDING' }),
  // Its check of the margin window: count() and sum(revision) over the same filters; a summed field must be in the
  // index ("Firestore computes the SUM() and AVG() results directly through index scans ... a field must be indexed
  // to calculate an aggregation", https://cloud.google.com/blog/products/databases/aggregate-with-sum-and-avg-in-firestore).
  chunkIndex({ fieldPath: 'changedAt', order: 'ASCENDING' }, { fieldPath: 'changedBy', order: 'ASCENDING' }, { fieldPath: 'revision', order: 'ASCENDING' }),
];

/** The indexes with their real collection ids, for a given prefix. */
export function firestoreIndexes(collectionPrefix: string): Array<FirestoreIndex & { readonly collectionGroup: string }> {
  return FIRESTORE_INDEXES.map((index) => ({ ...index, collectionGroup: `${collectionPrefix}${index.collection}` }));
}
