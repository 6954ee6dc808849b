import { dmlQueueing } from '../chunks/job-size.js';
import type { ChunkProcessorOptions } from '../chunks/process-chunks.js';
import type { ReconcileLimits } from '../reconcile/plan-reconcile.js';
import { DEFAULTS } from './defaults.js';
import type { ServiceConfig } from './config.js';

/**
 * From config to the options of the core, in one place: the functions, `npm run dev`, the e2e stack,
 * the local CLI run and the benchmarks all call these, so a value a user sets reaches every path the
 * same way (LEASE_MS is the lease of a claim and how long a queued chunk may wait before it is
 * published again, everywhere).
 */
export type ServiceLimits = ServiceConfig['limits'];

/** The limits of a service started with no settings (what `loadConfig({})` gives). */
export const DEFAULT_LIMITS: ServiceLimits = {
  maxInFlight: DEFAULTS.maxInFlight,
  maxInFlightPerTable: DEFAULTS.maxInFlightPerTable,
  maxAttempts: DEFAULTS.maxAttempts,
  leaseMs: DEFAULTS.leaseMs,
  retryBaseMs: DEFAULTS.retryBaseMs,
  retryMaxMs: DEFAULTS.retryMaxMs,
  datesPerJob: DEFAULTS.datesPerJob,
  maxDatesPerJob: DEFAULTS.maxDatesPerJob,
  maxRowsPerJob: DEFAULTS.maxRowsPerJob,
  quotaGiveUpMs: DEFAULTS.quotaGiveUpMs,
  maxEventAgeSeconds: DEFAULTS.maxEventAgeSeconds,
  ...dmlQueueing(true),
};

export function processorOptionsFrom(limits: ServiceLimits, workerId: string): ChunkProcessorOptions {
  return {
    workerId,
    leaseMs: limits.leaseMs,
    maxAttempts: limits.maxAttempts,
    retryBaseMs: limits.retryBaseMs,
    retryMaxMs: limits.retryMaxMs,
    maxEventAgeSeconds: limits.maxEventAgeSeconds,
    quotaGiveUpMs: limits.quotaGiveUpMs,
    jobSize: { initialDates: limits.datesPerJob, maxDates: limits.maxDatesPerJob, maxRows: limits.maxRowsPerJob },
  };
}

export function reconcileLimitsFrom(limits: ServiceLimits): ReconcileLimits {
  return {
    maxInFlight: limits.maxInFlight,
    maxInFlightPerTable: limits.maxInFlightPerTable,
    maxAttempts: limits.maxAttempts,
    datesPerJob: limits.datesPerJob,
    maxDatesPerJob: limits.maxDatesPerJob,
    queuedStallMs: limits.leaseMs,
    queueOrderHoldMs: limits.queueOrderHoldMs,
    tableDmlSlots: limits.tableDmlSlots,
  };
}

/** What a local run's flags set; the rest is the service's defaults. */
export interface LocalRunSettings {
  readonly concurrency: number;
  readonly datesPerJob: number;
  readonly maxAttempts: number;
}

/**
 * The limits of a local run: this process is the only worker, so what is in flight is what keeps its
 * `concurrency` workers busy (two messages each), and a failed date is retried within seconds, not the
 * minutes a cloud deployment waits for a quota to recover.
 */
export function localLimits(settings: LocalRunSettings): ServiceLimits {
  const inFlight = settings.concurrency * settings.datesPerJob * 2;
  return {
    ...DEFAULT_LIMITS,
    maxInFlight: inFlight,
    maxInFlightPerTable: inFlight,
    maxAttempts: settings.maxAttempts,
    datesPerJob: settings.datesPerJob,
    // DuckDB has no rate limits to find: every job is as large as asked, within the row cap.
    maxDatesPerJob: settings.datesPerJob,
    retryBaseMs: DEFAULTS.localRetryBaseMs,
    retryMaxMs: DEFAULTS.localRetryMaxMs,
    // DuckDB: a job goes as soon as its worker is ready, at its size.
    ...dmlQueueing(false),
  };
}
