import { type CollectionReference, type DocumentData, type Firestore } from '@google-cloud/firestore';
import { ALERT_DEFAULTS } from '../../shared/alerts/alert-defaults.js';
import {
  AlertStateSchema, ScopePassingSchema, VerificationRecordSchema, foldPassing, type AlertState, type AlertStatus, type AlertWrite,
  type ScopePassing, type VerificationRecord,
} from '../../shared/alerts/alert-records.js';
import type { AlertStore } from '../../shared/ports/alert-store.js';

export interface FirestoreAlertStoreOptions {
  readonly firestore: Firestore;
  /** Collections are `<prefix>alerts`, `<prefix>verifications` and `<prefix>verification_scopes`. */
  readonly collectionPrefix: string;
  /** close() also terminates the Firestore client (when this store is its only user). Default false. */
  readonly terminateOnClose?: boolean;
}

/** Attempts of a transaction that keeps meeting contention before the error reaches the caller. */
const TRANSACTION_ATTEMPTS = 10;
/** Firestore's `in` filter takes at most 30 values; getAll is paged the same way. */
const PAGE = 30;

/**
 * The composite indexes of this store's queries (the rest use Firestore's automatic single-field
 * indexes), as data for infra/ to declare next to adapters/firestore/indexes.ts. Collection ids
 * without the prefix.
 */
export const ALERT_STORE_INDEXES = [
  {
    collection: 'alerts',
    queryScope: 'COLLECTION',
    fields: [{ fieldPath: 'scopeKey', order: 'ASCENDING' }, { fieldPath: 'status', order: 'ASCENDING' }],
  },
  {
    collection: 'verifications',
    queryScope: 'COLLECTION',
    fields: [{ fieldPath: 'scopeKey', order: 'ASCENDING' }, { fieldPath: 'verifiedAt', order: 'DESCENDING' }],
  },
] as const;

/**
 * Alert states and verification history in Firestore: one document per alert (id = alertId, written
 * only in transactions that compare its revision), one per verification, and one per scope key
 * holding its passing times, updated in the same transaction as the verification it folds in.
 */
export class FirestoreAlertStore implements AlertStore {
  private readonly db: Firestore;
  private readonly alerts: CollectionReference;
  private readonly verifications: CollectionReference;
  private readonly scopes: CollectionReference;
  private readonly terminateOnClose: boolean;

  constructor(options: FirestoreAlertStoreOptions) {
    this.db = options.firestore;
    this.alerts = this.db.collection(`${options.collectionPrefix}alerts`);
    this.verifications = this.db.collection(`${options.collectionPrefix}verifications`);
    this.scopes = this.db.collection(`${options.collectionPrefix}verification_scopes`);
    this.terminateOnClose = options.terminateOnClose ?? false;
  }

  async listAlerts(scopeKey: string, options: { readonly statuses?: readonly AlertStatus[] } = {}): Promise<AlertState[]> {
    const statuses = options.statuses ?? ['open'];
    if (statuses.length === 0) return [];
    const snapshot = await this.alerts.where('scopeKey', '==', scopeKey).where('status', 'in', [...statuses]).get();
    return snapshot.docs.map((doc) => alertFromDoc(doc.id, doc.data())).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async getAlerts(ids: readonly string[]): Promise<AlertState[]> {
    const unique = [...new Set(ids)];
    const found = new Map<string, AlertState>();
    for (let i = 0; i < unique.length; i += PAGE) {
      const refs = unique.slice(i, i + PAGE).map((id) => this.alerts.doc(id));
      if (refs.length === 0) continue;
      for (const snapshot of await this.db.getAll(...refs)) {
        if (snapshot.exists) found.set(snapshot.id, alertFromDoc(snapshot.id, snapshot.data() ?? {}));
      }
    }
    return unique.flatMap((id) => found.get(id) ?? []);
  }

  async putAlert(next: AlertWrite, expectedRevision: number | null): Promise<AlertState | null> {
    const ref = this.alerts.doc(next.id);
    return this.db.runTransaction(async (tx) => {
      const snapshot = await tx.get(ref);
      const revision = snapshot.exists ? (snapshot.get('revision') as unknown) : null;
      if (revision !== expectedRevision) return null;
      const stored = AlertStateSchema.parse({ ...next, revision: (expectedRevision ?? 0) + 1 });
      tx.set(ref, withoutId(stored));
      return stored;
    }, { maxAttempts: TRANSACTION_ATTEMPTS });
  }

  async recordVerification(record: VerificationRecord): Promise<{ recorded: boolean }> {
    const parsed = VerificationRecordSchema.parse(record);
    const recordRef = this.verifications.doc(parsed.id);
    const scopeRef = this.scopes.doc(parsed.scopeKey);
    return this.db.runTransaction(async (tx) => {
      const [existing, scope] = await tx.getAll(recordRef, scopeRef);
      if (existing?.exists) return { recorded: false };
      const previous = scope?.exists ? ScopePassingSchema.parse(scope.data()) : null;
      tx.create(recordRef, withoutId(parsed));
      tx.set(scopeRef, foldPassing(previous, parsed));
      return { recorded: true };
    }, { maxAttempts: TRANSACTION_ATTEMPTS });
  }

  async listVerifications(options: { readonly scopeKey?: string; readonly limit?: number } = {}): Promise<VerificationRecord[]> {
    const limit = options.limit ?? ALERT_DEFAULTS.historyLimit;
    if (limit <= 0) return [];
    const base = options.scopeKey === undefined ? this.verifications : this.verifications.where('scopeKey', '==', options.scopeKey);
    const snapshot = await base.orderBy('verifiedAt', 'desc').limit(limit).get();
    return snapshot.docs.map((doc) => VerificationRecordSchema.parse({ ...doc.data(), id: doc.id }));
  }

  async lastPassed(scopeKey: string): Promise<ScopePassing | null> {
    const snapshot = await this.scopes.doc(scopeKey).get();
    return snapshot.exists ? ScopePassingSchema.parse(snapshot.data()) : null;
  }

  async close(): Promise<void> {
    if (this.terminateOnClose) await this.db.terminate();
  }
}

function alertFromDoc(id: string, data: DocumentData): AlertState {
  return AlertStateSchema.parse({ ...data, id });
}

/** The document id is the record's id; it is not repeated inside. */
function withoutId<T extends { id: string }>(value: T): Omit<T, 'id'> {
  const { id: _id, ...rest } = value;
  return rest;
}
