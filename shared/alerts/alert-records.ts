import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ANALYTICS_TABLES, RUN_MODES } from '../tables/names.js';
import { IsoDateSchema } from '../verify/problems.js';
import { VerificationSummarySchema, type VerificationSummary } from '../verify/verification-summary.js';
import { ALERT_EVENT_TYPES, ALERT_PROBLEM_FIELDS, VERIFICATION_TRIGGERS, type VerificationTrigger } from './alert-event.js';

/**
 * What the alert store keeps, as schemas: both stores decode what they read through these, so a
 * document written by another version of the code fails loudly instead of half-parsing. Times are
 * epoch milliseconds.
 */

export const ALERT_STATUSES = ['open', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

const epochMs = z.number().int().nonnegative();

/** A notification under way: whoever holds an unexpired claim is the only one sending for the alert. */
export const AlertClaimSchema = z.object({
  token: z.string().min(1),
  event: z.enum(ALERT_EVENT_TYPES),
  expiresAt: epochMs,
});
export type AlertClaim = z.infer<typeof AlertClaimSchema>;

export const AlertStateSchema = z.object({
  /** alertId(scopeKey, fingerprint). */
  id: z.string().min(1),
  scopeKey: z.string().min(1),
  mode: z.enum(RUN_MODES),
  ...ALERT_PROBLEM_FIELDS,
  status: z.enum(ALERT_STATUSES),
  firstSeenAt: epochMs,
  lastSeenAt: epochMs,
  /** When a notification last reached the primary sink; null while the first one has not. */
  lastNotifiedAt: epochMs.nullable(),
  /** The type of that notification. */
  lastEvent: z.enum(ALERT_EVENT_TYPES).nullable(),
  resolvedAt: epochMs.nullable(),
  claim: AlertClaimSchema.nullable(),
  /** Bumped by every write: the compare-and-set token. */
  revision: z.number().int().positive(),
});
export type AlertState = z.infer<typeof AlertStateSchema>;
/** An alert as written: the store sets the revision. */
export type AlertWrite = Omit<AlertState, 'revision'>;

export const VerificationRecordSchema = z.object({
  /** verificationRecordId(...): recording the same verification twice keeps one record. */
  id: z.string().min(1),
  scopeKey: z.string().min(1),
  trigger: z.enum(VERIFICATION_TRIGGERS),
  runId: z.string().nullable(),
  /** The report's generatedAt. */
  verifiedAt: epochMs,
  summary: VerificationSummarySchema,
});
export type VerificationRecord = z.infer<typeof VerificationRecordSchema>;

export const TablePassingSchema = z.object({ lastVerifiedAt: epochMs, lastPassedAt: epochMs.nullable() });

/** When a scope, and each table verified in it, was last verified and last passed (every check COMPLETE). */
export const ScopePassingSchema = z.object({
  scopeKey: z.string().min(1),
  mode: z.enum(RUN_MODES),
  start: IsoDateSchema,
  lastVerifiedAt: epochMs,
  lastPassedAt: epochMs.nullable(),
  tables: z.partialRecord(z.enum(ANALYTICS_TABLES), TablePassingSchema),
});
export type ScopePassing = z.infer<typeof ScopePassingSchema>;

/** `production:2021-11-01..2021-11-30#0123456789abcdef`: readable, and a valid Firestore document id. */
export function alertId(scopeKey: string, fingerprint: string): string {
  return `${scopeKey}#${fingerprint}`;
}

/** Derived from the verification itself, so a redelivered verification is recorded once. */
export function verificationRecordId(scopeKey: string, verifiedAt: number, trigger: string, runId: string | null): string {
  const identity = ['verification-v1', scopeKey, String(verifiedAt), trigger, runId ?? ''].join('|');
  return `${new Date(verifiedAt).toISOString()}~${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}

/** The history record of one verification; its id makes recording it twice harmless. */
export function verificationRecord(summary: VerificationSummary, scopeKey: string, trigger: VerificationTrigger, runId: string | null): VerificationRecord {
  const verifiedAt = Date.parse(summary.generatedAt);
  return { id: verificationRecordId(scopeKey, verifiedAt, trigger, runId), scopeKey, trigger, runId, verifiedAt, summary };
}

/**
 * Folds one verification into what is known of its scope. Latest wins by verification time, not by
 * arrival, so a late record of an older verification never moves "last passed" back.
 */
export function foldPassing(previous: ScopePassing | null, record: VerificationRecord): ScopePassing {
  const at = record.verifiedAt;
  const later = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  const tables: ScopePassing['tables'] = { ...previous?.tables };
  for (const t of record.summary.tables) {
    const before = tables[t.table];
    tables[t.table] = {
      lastVerifiedAt: later(before?.lastVerifiedAt ?? null, at) ?? at,
      lastPassedAt: later(before?.lastPassedAt ?? null, t.status === 'COMPLETE' ? at : null),
    };
  }
  return {
    scopeKey: record.scopeKey,
    mode: record.summary.scope.mode,
    start: record.summary.scope.start,
    lastVerifiedAt: later(previous?.lastVerifiedAt ?? null, at) ?? at,
    lastPassedAt: later(previous?.lastPassedAt ?? null, record.summary.overall.status === 'COMPLETE' ? at : null),
    tables,
  };
}
