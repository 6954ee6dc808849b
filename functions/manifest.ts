/**
 * The Cloud Functions this service deploys, with what each needs. functions/index.ts registers exactly
 * these, and test/infra checks that infra/ declares each function, its trigger topic and env vars.
 */
export interface FunctionManifestEntry {
  readonly entryPoint: string;
  readonly trigger: { readonly kind: 'http' } | { readonly kind: 'pubsub'; readonly topicEnv: 'CHUNKS_TOPIC' | 'RECONCILE_TOPIC' };
  /** Env vars the function reads through loadConfig (beyond the defaults). */
  readonly env: readonly string[];
  /** Topics it publishes to, by env var. */
  readonly publishes: readonly ('CHUNKS_TOPIC' | 'RECONCILE_TOPIC' | 'ALERTS_TOPIC')[];
}

const COMMON_ENV = [
  'WAREHOUSE', 'LEDGER', 'GOOGLE_CLOUD_PROJECT', 'BQ_LOCATION', 'FIRESTORE_DATABASE', 'FIRESTORE_COLLECTION_PREFIX', 'LOG_LEVEL',
] as const;

export const FUNCTIONS: readonly FunctionManifestEntry[] = [
  {
    entryPoint: 'processChunk',
    trigger: { kind: 'pubsub', topicEnv: 'CHUNKS_TOPIC' },
    env: [...COMMON_ENV, 'CHUNKS_TOPIC', 'RECONCILE_TOPIC', 'LEASE_MS', 'MAX_ATTEMPTS', 'RETRY_BASE_MS', 'RETRY_MAX_MS', 'MAX_EVENT_AGE_SECONDS',
      'DATES_PER_JOB', 'MAX_DATES_PER_JOB', 'MAX_ROWS_PER_JOB', 'QUOTA_GIVE_UP_MS'],
    // RECONCILE_TOPIC: a job that finished may unblock dependent work; reconcile is nudged at once (shared/reconcile/nudge.ts).
    publishes: ['RECONCILE_TOPIC'],
  },
  {
    entryPoint: 'reconcile',
    trigger: { kind: 'pubsub', topicEnv: 'RECONCILE_TOPIC' },
    env: [...COMMON_ENV, 'CHUNKS_TOPIC', 'RECONCILE_TOPIC', 'ALERTS_TOPIC', 'MAX_IN_FLIGHT', 'MAX_IN_FLIGHT_PER_TABLE',
      'MAX_ATTEMPTS', 'LEASE_MS', 'RETRY_BASE_MS', 'RETRY_MAX_MS', 'DATES_PER_JOB', 'MAX_DATES_PER_JOB', 'COVERAGE_START', 'COVERAGE_TARGETS', 'ALERT_WEBHOOK_URL',
      'ALERT_REPEAT_AFTER_MS', 'MAX_EVENT_AGE_SECONDS', 'COVERAGE_EXCLUDE_DATES'],
    publishes: ['CHUNKS_TOPIC', 'ALERTS_TOPIC'],
  },
  {
    entryPoint: 'backfillApi',
    trigger: { kind: 'http' },
    env: [...COMMON_ENV, 'CHUNKS_TOPIC', 'RECONCILE_TOPIC', 'ALERTS_TOPIC', 'MAX_IN_FLIGHT', 'MAX_IN_FLIGHT_PER_TABLE', 'DATES_PER_JOB', 'ALERT_WEBHOOK_URL', 'ALERT_REPEAT_AFTER_MS',
      'COVERAGE_EXCLUDE_DATES'],
    // RECONCILE_TOPIC: a run it starts or resumes gets a reconcile tick at once (shared/ports/reconcile-trigger.ts).
    publishes: ['CHUNKS_TOPIC', 'RECONCILE_TOPIC', 'ALERTS_TOPIC'],
  },
];

/**
 * Messages the Scheduler jobs publish to the reconcile topic (infra/scheduler.tf, one job each):
 * `reconcile` (every minute) drives the active runs, `heal` (hourly) compares the warehouse with the
 * coverage targets and starts a run for the gaps, `verify` (daily) verifies and alerts.
 */
export const SCHEDULER_MESSAGES = {
  reconcile: { kind: 'reconcile' },
  heal: { kind: 'heal' },
  verify: { kind: 'verify' },
} as const;

export type SchedulerKind = keyof typeof SCHEDULER_MESSAGES;
export const SCHEDULER_KINDS = Object.keys(SCHEDULER_MESSAGES) as [SchedulerKind, ...SchedulerKind[]];
