import { dmlQueueing } from '../chunks/job-size.js';
import { z } from 'zod';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../tables/names.js';
import { isIsoDate, type IsoDate } from '../util/dates.js';
import { DEFAULTS, LIMITS, SEED_RANGE } from './defaults.js';
import { InvalidInputError, parseInput } from '../input/invalid-input.js';

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const isoDate = z.string().refine(isIsoDate, 'must be YYYY-MM-DD');

/**
 * Comma-separated game dates (YYYY-MM-DD), ascending and without repeats, at most LIMITS.maxExcludedDates;
 * empty for none. Written by infra/ as join(",", sort(distinct(var.coverage_exclude_dates))), so a value
 * out of order is a hand-made mistake worth refusing rather than silently reordering.
 */
const excludeDates = z.string().default('').transform((text, ctx): IsoDate[] => {
  const dates = text.trim() === '' ? [] : text.split(',').map((d) => d.trim());
  const bad = dates.filter((d) => !isIsoDate(d));
  if (bad.length) ctx.addIssue({ code: 'custom', message: `not dates (YYYY-MM-DD): ${bad.slice(0, 5).map((d) => JSON.stringify(d)).join(', ')}` });
  else if (dates.length > LIMITS.maxExcludedDates) ctx.addIssue({ code: 'custom', message: `at most ${LIMITS.maxExcludedDates} dates, got ${dates.length}` });
  else {
    const outOfOrder = dates.findIndex((d, i) => i > 0 && d <= (dates[i - 1] ?? ''));
    if (outOfOrder > 0) {
      const [before, at] = [dates[outOfOrder - 1], dates[outOfOrder]];
      ctx.addIssue({ code: 'custom', message: before === at ? `${at} is listed twice` : `dates must be ascending: ${at} comes after ${before}` });
    }
  }
  return dates;
});

/**
 * Every environment variable the service reads, in one schema. infra/ declares each of these for the
 * functions that need them, and a test checks that it does.
 */
export const ENV_SCHEMA = z.object({
  WAREHOUSE: z.enum(['bigquery', 'duckdb']).default('bigquery'),
  LEDGER: z.enum(['firestore', 'local']).default('firestore'),
  GOOGLE_CLOUD_PROJECT: z.string().min(1).optional(),
  BQ_LOCATION: z.string().default('US'),
  BACKFILL_DATA_DIR: z.string().default('./.backfill'),
  CHUNKS_TOPIC: z.string().default('backfill-chunks'),
  RECONCILE_TOPIC: z.string().default('backfill-reconcile'),
  ALERTS_TOPIC: z.string().default('backfill-alerts'),
  FIRESTORE_DATABASE: z.string().default('(default)'),
  FIRESTORE_COLLECTION_PREFIX: z.string().regex(/^[A-Za-z0-9_-]*$/).default('backfill_'),
  MAX_IN_FLIGHT: int(DEFAULTS.maxInFlight),
  MAX_IN_FLIGHT_PER_TABLE: int(DEFAULTS.maxInFlightPerTable),
  MAX_ATTEMPTS: int(DEFAULTS.maxAttempts),
  LEASE_MS: int(DEFAULTS.leaseMs),
  RETRY_BASE_MS: int(DEFAULTS.retryBaseMs),
  RETRY_MAX_MS: int(DEFAULTS.retryMaxMs),
  // A chunk message carries at most LIMITS.maxDatesPerJob dates: a larger job would never decode.
  DATES_PER_JOB: z.coerce.number().int().positive().max(LIMITS.maxDatesPerJob).default(DEFAULTS.datesPerJob),
  MAX_DATES_PER_JOB: z.coerce.number().int().positive().max(LIMITS.maxDatesPerJob).default(DEFAULTS.maxDatesPerJob),
  MAX_ROWS_PER_JOB: int(DEFAULTS.maxRowsPerJob),
  QUOTA_GIVE_UP_MS: int(DEFAULTS.quotaGiveUpMs),
  MAX_EVENT_AGE_SECONDS: int(DEFAULTS.maxEventAgeSeconds),
  /** JSON: {"player_game_summary": {"start": "2016-10-01"}, ...}; tables left out use COVERAGE_START. */
  COVERAGE_TARGETS: z.string().optional(),
  /** Start of the coverage target of every table; empty turns coverage healing off. */
  COVERAGE_START: z.union([isoDate, z.literal('')]).default(SEED_RANGE.start),
  /** Game dates coverage leaves out (comma-separated YYYY-MM-DD, ascending); empty: none. */
  COVERAGE_EXCLUDE_DATES: excludeDates,
  ALERT_WEBHOOK_URL: z.url().optional(),
  ALERT_REPEAT_AFTER_MS: int(24 * 60 * 60 * 1000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export interface CoverageTarget {
  readonly table: AnalyticsTableName;
  readonly start: IsoDate;
  /** Inclusive; undefined means through yesterday. */
  readonly end?: IsoDate;
}

export interface ServiceConfig {
  readonly warehouse: 'bigquery' | 'duckdb';
  readonly ledger: 'firestore' | 'local';
  readonly projectId: string | undefined;
  readonly bigQueryLocation: string;
  readonly dataDir: string;
  readonly topics: { readonly chunks: string; readonly reconcile: string; readonly alerts: string };
  readonly firestore: { readonly database: string; readonly collectionPrefix: string };
  readonly limits: {
    readonly maxInFlight: number;
    readonly maxInFlightPerTable: number;
    readonly maxAttempts: number;
    readonly leaseMs: number;
    readonly retryBaseMs: number;
    readonly retryMaxMs: number;
    /** Where a table's job size starts; it then moves between 1 and maxDatesPerJob (shared/chunks/job-size.ts). */
    readonly datesPerJob: number;
    readonly maxDatesPerJob: number;
    readonly maxRowsPerJob: number;
    readonly quotaGiveUpMs: number;
    readonly maxEventAgeSeconds: number;
    /** Not an environment variable: DEFAULTS.queueOrderHoldMs on BigQuery, 0 on DuckDB and in local runs (job-size.ts `dmlQueueing`). */
    readonly queueOrderHoldMs: number;
    /**
     * Not an environment variable: the mutating DML a table runs at once, which a pass's dates are shared over when
     * they would leave one idle (plan-reconcile.ts `messageSizes`): BigQuery's 2; 0 (no sharing) on DuckDB and locally.
     */
    readonly tableDmlSlots: number;
  };
  readonly coverageTargets: readonly CoverageTarget[];
  /** COVERAGE_EXCLUDE_DATES: dates the coverage targets leave out, ascending, unique. */
  readonly coverageExcludeDates: readonly IsoDate[];
  readonly alerts: { readonly webhookUrl: string | undefined; readonly repeatAfterMs: number };
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

const CoverageTargetsSchema = z.strictObject({
  COVERAGE_TARGETS: z.partialRecord(z.enum(ANALYTICS_TABLES), z.object({ start: isoDate, end: isoDate.optional() }).strict()),
});

/** Read config once, from the env given (tests pass their own). */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServiceConfig {
  const e = parseInput(ENV_SCHEMA, env, 'configuration');
  let perTable: z.infer<typeof CoverageTargetsSchema>['COVERAGE_TARGETS'] = {};
  if (e.COVERAGE_TARGETS) {
    let json: unknown;
    try {
      json = JSON.parse(e.COVERAGE_TARGETS);
    } catch (cause) {
      throw new InvalidInputError('configuration', ['COVERAGE_TARGETS: not JSON'], { cause });
    }
    perTable = parseInput(CoverageTargetsSchema, { COVERAGE_TARGETS: json }, 'configuration').COVERAGE_TARGETS;
  }
  const coverageTargets: CoverageTarget[] = [];
  for (const table of ANALYTICS_TABLES) {
    const own = perTable[table];
    if (own) coverageTargets.push({ table, start: own.start, ...(own.end ? { end: own.end } : {}) });
    else if (e.COVERAGE_START) coverageTargets.push({ table, start: e.COVERAGE_START });
  }
  return {
    warehouse: e.WAREHOUSE,
    ledger: e.LEDGER,
    projectId: e.GOOGLE_CLOUD_PROJECT,
    bigQueryLocation: e.BQ_LOCATION,
    dataDir: e.BACKFILL_DATA_DIR,
    topics: { chunks: e.CHUNKS_TOPIC, reconcile: e.RECONCILE_TOPIC, alerts: e.ALERTS_TOPIC },
    firestore: { database: e.FIRESTORE_DATABASE, collectionPrefix: e.FIRESTORE_COLLECTION_PREFIX },
    limits: {
      maxInFlight: e.MAX_IN_FLIGHT,
      maxInFlightPerTable: e.MAX_IN_FLIGHT_PER_TABLE,
      maxAttempts: e.MAX_ATTEMPTS,
      leaseMs: e.LEASE_MS,
      retryBaseMs: e.RETRY_BASE_MS,
      retryMaxMs: Math.max(e.RETRY_MAX_MS, e.RETRY_BASE_MS),
      datesPerJob: e.DATES_PER_JOB,
      maxDatesPerJob: Math.max(e.DATES_PER_JOB, e.MAX_DATES_PER_JOB),
      maxRowsPerJob: e.MAX_ROWS_PER_JOB,
      quotaGiveUpMs: e.QUOTA_GIVE_UP_MS,
      maxEventAgeSeconds: e.MAX_EVENT_AGE_SECONDS,
      ...dmlQueueing(e.WAREHOUSE === 'bigquery'),
    },
    coverageTargets,
    coverageExcludeDates: e.COVERAGE_EXCLUDE_DATES,
    alerts: { webhookUrl: e.ALERT_WEBHOOK_URL, repeatAfterMs: e.ALERT_REPEAT_AFTER_MS },
    logLevel: e.LOG_LEVEL,
  };
}
