import { z } from 'zod';
import { ANALYTICS_TABLES, RUN_MODES } from '../tables/names.js';
import { IsoDateSchema, PROBLEM_KINDS, SEVERITIES } from '../verify/problems.js';

/**
 * - `firing`: a problem alerts for the first time in its scope (or again after it was resolved).
 * - `repeat`: still there after the quiet period (ALERT_REPEAT_AFTER_MS since the last notification).
 * - `resolved`: a verification of the same scope no longer finds it.
 */
export const ALERT_EVENT_TYPES = ['firing', 'repeat', 'resolved'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];
export function isAlertEventType(value: unknown): value is AlertEventType {
  return typeof value === 'string' && (ALERT_EVENT_TYPES as readonly string[]).includes(value);
}

export const VERIFICATION_TRIGGERS = ['scheduled', 'run_finished', 'manual'] as const;
export type VerificationTrigger = (typeof VERIFICATION_TRIGGERS)[number];

/** A problem as alerts carry it, in the events sinks receive and in the stored alert states. */
export const ALERT_PROBLEM_FIELDS = {
  /** The problem's identity (shared/verify/verification-summary.ts): mode, table, kind and subject. */
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
  table: z.enum(ANALYTICS_TABLES),
  kind: z.enum(PROBLEM_KINDS),
  /** Date reason, column or cross-table truth; empty when the kind says it all. */
  subject: z.string(),
  severity: z.enum(SEVERITIES),
  /** One line: the latest seen (for `resolved`, the last one seen while it was open). */
  description: z.string(),
};

/**
 * What a sink receives, and the JSON body of an alerts-topic message (version 1). Fields may be added
 * within a version; none is renamed or removed without bumping `version`. Times are ISO-8601 UTC.
 */
export const AlertEventSchema = z.object({
  version: z.literal(1),
  type: z.enum(ALERT_EVENT_TYPES),
  ...ALERT_PROBLEM_FIELDS,
  scope: z.object({
    /** What deduplicates: alerts of one scope key never resolve those of another (see scope-key.ts). */
    key: z.string(),
    mode: z.enum(RUN_MODES),
    /** The range the verification behind this event covered. */
    start: IsoDateSchema,
    end: IsoDateSchema,
  }),
  trigger: z.enum(VERIFICATION_TRIGGERS),
  runId: z.string().nullable(),
  firstSeenAt: z.string(),
  /** When the event was decided (the alerter's clock). */
  at: z.string(),
  /** A few lines of the report about this problem, for people; capped (ALERT_DEFAULTS.excerptChars). */
  reportExcerpt: z.string(),
});
export type AlertEvent = z.infer<typeof AlertEventSchema>;
