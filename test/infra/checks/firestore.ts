/** infra/firestore.tf against the composite indexes adapters/firestore declares (FIRESTORE_INDEXES, ALERT_STORE_INDEXES) and the queries they send. */
import { blocks, mentions, resourcesOf, type Body, type Infra } from '../../support/infra.js';

export interface IndexLike {
  readonly collection: string;
  readonly queryScope: string;
  readonly fields: ReadonlyArray<{ readonly fieldPath: string; readonly order?: string; readonly arrayConfig?: string }>;
}

function indexSignature(index: IndexLike): string {
  const fields = index.fields.map((f) => `${f.fieldPath} ${f.order ?? f.arrayConfig ?? '?'}`);
  return `${index.collection} (${index.queryScope}): ${fields.join(', ')}`;
}

const PREFIX = '${var.firestore_collection_prefix}';

/** A google_firestore_index body as an index, its collection without the prefix; undefined when the collection is not prefixed. */
function indexOf(body: Body): IndexLike | undefined {
  const collection = body.collection;
  if (typeof collection !== 'string' || !collection.startsWith(PREFIX)) return undefined;
  return {
    collection: collection.slice(PREFIX.length),
    queryScope: typeof body.query_scope === 'string' ? body.query_scope : 'COLLECTION',
    fields: blocks(body, 'fields').map((f) => ({
      fieldPath: String(f.field_path),
      ...(typeof f.order === 'string' ? { order: f.order } : {}),
      ...(typeof f.array_config === 'string' ? { arrayConfig: f.array_config } : {}),
    })),
  };
}

/** One google_firestore_index per declared index of adapters/firestore: same collection (after the prefix), scope and fields in order. */
export function checkFirestoreIndexes(infra: Infra, indexes: readonly IndexLike[]): string[] {
  const problems: string[] = [];
  const declared = new Map<string, string>();
  for (const [name, r] of resourcesOf(infra, 'google_firestore_index')) {
    const where = `google_firestore_index.${name}`;
    const index = indexOf(r.body);
    if (!index) {
      problems.push(`${where}: collection ${JSON.stringify(r.body.collection)} does not start with ${PREFIX}`);
      continue;
    }
    if (!mentions(r.body.database, 'google_firestore_database', 'ledger')) problems.push(`${where}: database is not google_firestore_database.ledger`);
    const signature = indexSignature(index);
    const twice = declared.get(signature);
    if (twice) problems.push(`${where} repeats google_firestore_index.${twice}: ${signature}`);
    declared.set(signature, name);
  }
  const expected = new Set(indexes.map(indexSignature));
  for (const signature of expected) {
    if (!declared.has(signature)) problems.push(`adapters/firestore needs ${signature}; no google_firestore_index declares it`);
  }
  for (const [signature, name] of declared) {
    if (!expected.has(signature)) problems.push(`google_firestore_index.${name} (${signature}) is not an index adapters/firestore declares`);
  }
  return problems;
}

// --- Every query the adapters send, against the indexes infra/ declares ----------------------------------

/** A Firestore RunQuery / RunAggregationQuery request as the client sends it (google.firestore.v1). */
export interface RecordedQueryRequest {
  readonly structuredQuery?: StructuredQuery;
  readonly structuredAggregationQuery?: {
    readonly structuredQuery?: StructuredQuery;
    readonly aggregations?: ReadonlyArray<{ readonly sum?: { readonly field?: FieldRef }; readonly avg?: { readonly field?: FieldRef } }>;
  };
}

interface FieldRef { readonly fieldPath?: string }
interface Filter {
  readonly fieldFilter?: { readonly field?: FieldRef; readonly op?: string };
  readonly unaryFilter?: { readonly field?: FieldRef; readonly op?: string };
  readonly compositeFilter?: { readonly op?: string; readonly filters?: readonly Filter[] };
}
interface StructuredQuery {
  readonly from?: ReadonlyArray<{ readonly collectionId?: string; readonly allDescendants?: boolean }>;
  readonly where?: Filter;
  readonly orderBy?: ReadonlyArray<{ readonly field?: FieldRef; readonly direction?: string }>;
}

/** Equality-like operators: their fields lead an index, in any order (https://firebase.google.com/docs/firestore/query-data/index-overview). */
const EQUALITY_OPS = new Set(['EQUAL', 'IN']);
const ARRAY_OPS = new Set(['ARRAY_CONTAINS', 'ARRAY_CONTAINS_ANY']);

export interface NeededIndex {
  /** The collection id as queried. */
  readonly collectionId: string;
  /** Fields that may come in any order at the head of the index. */
  readonly equality: ReadonlyArray<{ readonly fieldPath: string; readonly arrayConfig?: 'CONTAINS' }>;
  /** Fields that must follow, in this order, with these directions. */
  readonly ordered: ReadonlyArray<{ readonly fieldPath: string; readonly order: 'ASCENDING' | 'DESCENDING' }>;
  readonly text: string;
}

function flatten(filter: Filter | undefined): Filter[] {
  if (!filter) return [];
  if (filter.compositeFilter) return (filter.compositeFilter.filters ?? []).flatMap(flatten);
  return [filter];
}

/**
 * The composite index a query needs, or null when a single-field index serves it. Conservative: a query
 * on two or more fields needs one even when they are all equalities (Firestore may merge single-field
 * indexes for those, but does not promise to), which is how FIRESTORE_INDEXES is written too.
 * Firestore appends __name__ to every index itself, so ordering by document id needs nothing.
 */
export function neededIndex(request: RecordedQueryRequest): NeededIndex | null {
  const query = request.structuredQuery ?? request.structuredAggregationQuery?.structuredQuery;
  const collectionId = query?.from?.[0]?.collectionId;
  if (!query || !collectionId) return null;
  const equality: Array<{ fieldPath: string; arrayConfig?: 'CONTAINS' }> = [];
  const inequality: string[] = [];
  for (const f of flatten(query.where)) {
    const field = f.fieldFilter?.field?.fieldPath ?? f.unaryFilter?.field?.fieldPath;
    const op = f.fieldFilter?.op ?? f.unaryFilter?.op ?? '';
    if (!field) continue;
    if (ARRAY_OPS.has(op)) equality.push({ fieldPath: field, arrayConfig: 'CONTAINS' });
    else if (EQUALITY_OPS.has(op) || f.unaryFilter) equality.push({ fieldPath: field });
    else inequality.push(field);
  }
  const ordered: Array<{ fieldPath: string; order: 'ASCENDING' | 'DESCENDING' }> = [];
  for (const o of query.orderBy ?? []) {
    const field = o.field?.fieldPath;
    if (!field || field === '__name__') continue;
    ordered.push({ fieldPath: field, order: o.direction === 'DESCENDING' ? 'DESCENDING' : 'ASCENDING' });
  }
  for (const field of inequality) if (!ordered.some((o) => o.fieldPath === field)) ordered.push({ fieldPath: field, order: 'ASCENDING' });
  // sum() and avg() read the field from the index: "Firestore computes the SUM() and AVG() results directly through
  // index scans ... a field must be indexed to calculate an aggregation"
  // (https://cloud.google.com/blog/products/databases/aggregate-with-sum-and-avg-in-firestore).
  for (const aggregation of request.structuredAggregationQuery?.aggregations ?? []) {
    const field = aggregation.sum?.field?.fieldPath ?? aggregation.avg?.field?.fieldPath;
    if (field && !ordered.some((o) => o.fieldPath === field)) ordered.push({ fieldPath: field, order: 'ASCENDING' });
  }
  const distinct = new Set([...equality.map((e) => e.fieldPath), ...ordered.map((o) => o.fieldPath)]);
  if (distinct.size < 2) return null;
  const text = `${collectionId}: ${[...equality.map((e) => `${e.fieldPath} ${e.arrayConfig ?? '=='}`), ...ordered.map((o) => `${o.fieldPath} ${o.order}`)].join(', ')}`;
  return { collectionId, equality, ordered, text };
}

/** Whether a declared index (collection without the prefix) serves the need, read as Firestore does. */
function serves(index: IndexLike, need: NeededIndex, collection: string): boolean {
  if (index.collection !== collection || index.fields.length !== need.equality.length + need.ordered.length) return false;
  const head = index.fields.slice(0, need.equality.length);
  const tail = index.fields.slice(need.equality.length);
  const headMatches = need.equality.every((e) => head.some((f) => f.fieldPath === e.fieldPath
    && (e.arrayConfig ? f.arrayConfig === 'CONTAINS' : f.order !== undefined)));
  const tailMatches = need.ordered.every((o, i) => tail[i]?.fieldPath === o.fieldPath && tail[i]?.order === o.order);
  return headMatches && tailMatches;
}

/** The google_firestore_index resources of infra/, collections without ${var.firestore_collection_prefix}. */
export function declaredIndexes(infra: Infra): IndexLike[] {
  return resourcesOf(infra, 'google_firestore_index').flatMap(([, r]) => indexOf(r.body) ?? []);
}

/**
 * Every recorded query that needs a composite index has one declared in infra/. `collectionOf` turns a
 * queried collection id (test prefix included) into the unprefixed name infra/ declares.
 */
export function checkQueriesIndexed(infra: Infra, requests: readonly RecordedQueryRequest[], collectionOf: (collectionId: string) => string): string[] {
  const declared = declaredIndexes(infra);
  const problems = new Set<string>();
  for (const request of requests) {
    const need = neededIndex(request);
    if (!need) continue;
    const collection = collectionOf(need.collectionId);
    if (!declared.some((index) => serves(index, need, collection))) {
      problems.add(`a query on ${collection} (${need.text.slice(need.collectionId.length + 2)}) has no google_firestore_index in infra/firestore.tf`);
    }
  }
  return [...problems];
}
