/** infra/firestore.tf against adapters/firestore/indexes.ts FIRESTORE_INDEXES. */
import { blocks, mentions, resourcesOf, type Infra } from '../../support/infra.js';

export interface IndexLike {
  readonly collection: string;
  readonly queryScope: string;
  readonly fields: ReadonlyArray<{ readonly fieldPath: string; readonly order?: string; readonly arrayConfig?: string }>;
}

function indexSignature(index: IndexLike): string {
  const fields = index.fields.map((f) => `${f.fieldPath} ${f.order ?? f.arrayConfig ?? '?'}`);
  return `${index.collection} (${index.queryScope}): ${fields.join(', ')}`;
}

/** One google_firestore_index per FIRESTORE_INDEXES entry: same collection (after the prefix), scope and fields in order. */
export function checkFirestoreIndexes(infra: Infra, indexes: readonly IndexLike[]): string[] {
  const problems: string[] = [];
  const declared = new Map<string, string>();
  const prefix = '${var.firestore_collection_prefix}';
  for (const [name, r] of resourcesOf(infra, 'google_firestore_index')) {
    const where = `google_firestore_index.${name}`;
    const collection = r.body.collection;
    if (typeof collection !== 'string' || !collection.startsWith(prefix)) {
      problems.push(`${where}: collection ${JSON.stringify(collection)} does not start with ${prefix}`);
      continue;
    }
    if (!mentions(r.body.database, 'google_firestore_database', 'ledger')) problems.push(`${where}: database is not google_firestore_database.ledger`);
    const signature = indexSignature({
      collection: collection.slice(prefix.length),
      queryScope: typeof r.body.query_scope === 'string' ? r.body.query_scope : 'COLLECTION',
      fields: blocks(r.body, 'fields').map((f) => ({
        fieldPath: String(f.field_path),
        ...(typeof f.order === 'string' ? { order: f.order } : {}),
        ...(typeof f.array_config === 'string' ? { arrayConfig: f.array_config } : {}),
      })),
    });
    const twice = declared.get(signature);
    if (twice) problems.push(`${where} repeats google_firestore_index.${twice}: ${signature}`);
    declared.set(signature, name);
  }
  const expected = new Set(indexes.map(indexSignature));
  for (const signature of expected) {
    if (!declared.has(signature)) problems.push(`FIRESTORE_INDEXES needs ${signature}; no google_firestore_index declares it`);
  }
  for (const [signature, name] of declared) {
    if (!expected.has(signature)) problems.push(`google_firestore_index.${name} (${signature}) is not in FIRESTORE_INDEXES`);
  }
  return problems;
}
