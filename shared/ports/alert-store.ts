import type { AlertState, AlertStatus, AlertWrite, ScopePassing, VerificationRecord } from '../alerts/alert-records.js';

/**
 * Alert states, one per (scope key, fingerprint), and the history of verifications: Firestore in the
 * cloud, a DuckDB file on one machine. Every write of an alert is a compare-and-set on its revision,
 * so two verifications at once never both claim the same notification.
 */
export interface AlertStore {
  /** Alerts of one scope key with one of `statuses` (default: open only), in id order. */
  listAlerts(scopeKey: string, options?: { readonly statuses?: readonly AlertStatus[] }): Promise<AlertState[]>;
  /** The alerts that exist among `ids`, in the order asked. */
  getAlerts(ids: readonly string[]): Promise<AlertState[]>;
  /**
   * Write `next` only if the stored alert's revision is `expectedRevision` (null: only if there is no
   * such alert yet), atomically. Returns the alert as stored (revision bumped), or null when another
   * writer changed it first.
   */
  putAlert(next: AlertWrite, expectedRevision: number | null): Promise<AlertState | null>;
  /**
   * Append a verification to the history and fold it into its scope's passing times, atomically.
   * Recording the same id again changes nothing and returns `recorded: false`.
   */
  recordVerification(record: VerificationRecord): Promise<{ recorded: boolean }>;
  /** Newest first (by verifiedAt), of one scope key or of all; default limit 20. */
  listVerifications(options?: { readonly scopeKey?: string; readonly limit?: number }): Promise<VerificationRecord[]>;
  /** When the scope, and each table in it, last passed; null if it was never verified. */
  lastPassed(scopeKey: string): Promise<ScopePassing | null>;
  close(): Promise<void>;
}

/** The history part of the store: what a status reads to say when a scope last passed. */
export type VerificationHistory = Pick<AlertStore, 'recordVerification' | 'listVerifications' | 'lastPassed'>;
