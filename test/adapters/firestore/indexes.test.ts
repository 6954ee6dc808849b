import assert from 'node:assert/strict';
import { FIRESTORE_INDEXES, firestoreIndexes, type FirestoreIndexField, type LedgerCollection } from '../../../adapters/firestore/indexes.js';
import { REVISION, RUN_ORDER, changedBetweenFilters, changedSinceFilters, chunkFilters, runFilters, type QueryFilter } from '../../../adapters/firestore/ledger-queries.js';
import type { ChunkState, RunState } from '../../../shared/chunks/chunk-state.js';
import type { ChunkQuery } from '../../../shared/ports/ledger.js';

interface Shape {
  readonly collection: LedgerCollection;
  readonly fields: readonly FirestoreIndexField[];
}

/** The composite index a query needs, or null when Firestore's automatic single-field indexes serve it. */
function neededIndex(collection: LedgerCollection, filters: readonly QueryFilter[], order?: { field: string; direction: 'asc' | 'desc' }): Shape | null {
  // A range filters one field twice (>= and <=): the index names it once.
  const fields: FirestoreIndexField[] = [...new Map(filters.map((f) => [f.field, f])).values()].map((f) =>
    f.op === 'array-contains' ? { fieldPath: f.field, arrayConfig: 'CONTAINS' } : { fieldPath: f.field, order: 'ASCENDING' });
  if (order && filters.length > 0) fields.push({ fieldPath: order.field, order: order.direction === 'desc' ? 'DESCENDING' : 'ASCENDING' });
  return fields.length >= 2 ? { collection, fields } : null;
}

/** Every shape of query the ledger can make: listChunks, countChunks, listRuns. */
function everyQueryShape(): Shape[] {
  const chunkQueries: ChunkQuery[] = [];
  for (const runId of [undefined, 'run-a']) {
    for (const table of [undefined, 'player_game_summary'] as const) {
      for (const mode of [undefined, 'test'] as const) {
        for (const states of [undefined, ['pending'], ['queued', 'running']] as Array<ChunkState[] | undefined>) {
          chunkQueries.push({ ...(runId ? { runId } : {}), ...(table ? { table } : {}), ...(mode ? { mode } : {}), ...(states ? { states } : {}) });
        }
      }
    }
  }
  // The chunk processor's check that the inputs it reads are done (shared/chunks/process-chunks.ts).
  for (const range of [{ gameDateFrom: '2016-10-01', gameDateTo: '2018-04-13' }, { gameDateTo: '2018-04-13' }]) {
    chunkQueries.push({ table: 'player_game_summary', mode: 'production', states: ['pending', 'queued', 'running', 'failed', 'dead'], ...range });
  }
  // Reconcile's search for chunks in flight whose lease ran out (shared/reconcile/reconcile.ts).
  chunkQueries.push({ states: ['queued', 'running'], leaseExpiredBy: 0 });
  const runStates: Array<RunState[] | undefined> = [undefined, ['active'], ['active', 'failed']];
  return [
    ...chunkQueries.map((q) => neededIndex('chunks', chunkFilters(q))),
    // The listing copy's delta (adapters/firestore/chunk-mirror.ts).
    neededIndex('chunks', changedSinceFilters(new Date(0), 'writer-a')),
    // Its check of the margin window: count() and sum(revision) over the chunks changed in it (the summed field last).
    { collection: 'chunks', fields: [...(neededIndex('chunks', changedBetweenFilters(new Date(0), new Date(1), 'writer-a'))?.fields ?? []), { fieldPath: REVISION, order: 'ASCENDING' }] },
    ...runStates.map((states) => neededIndex('runs', runFilters(states), RUN_ORDER)),
  ].filter((s): s is Shape => s !== null);
}

const key = (shape: Shape) => JSON.stringify([shape.collection, shape.fields]);

describe('Firestore indexes', function () {
  it('declare a composite index for every query of the ledger that needs one', function () {
    const declared = new Set(FIRESTORE_INDEXES.map(key));
    const missing = everyQueryShape().filter((shape) => !declared.has(key(shape)));
    assert.deepEqual(missing, []);
  });

  it('declare no index that no query of the ledger uses', function () {
    const used = new Set(everyQueryShape().map(key));
    assert.deepEqual(FIRESTORE_INDEXES.filter((index) => !used.has(key(index))), []);
  });

  it('declare each index once, with at least two fields', function () {
    assert.equal(new Set(FIRESTORE_INDEXES.map(key)).size, FIRESTORE_INDEXES.length);
    for (const index of FIRESTORE_INDEXES) assert.ok(index.fields.length >= 2, key(index));
  });

  it('name the real collection ids for a prefix', function () {
    const groups = new Set(firestoreIndexes('backfill_').map((index) => index.collectionGroup));
    assert.deepEqual([...groups].sort(), ['backfill_chunks', 'backfill_runs']);
  });
});
