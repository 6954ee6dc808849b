import type { CloudEvent } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { reconcileRuns } from '../shared/reconcile/reconcile.js';
import { healCoverage } from '../shared/reconcile/heal-coverage.js';
import { runVerification } from '../shared/api/verify-endpoint.js';
import { scopeOfRequest } from '../shared/planning/backfill-request.js';
import type { RunRecord } from '../shared/ports/ledger.js';
import { ANALYTICS_TABLES } from '../shared/tables/names.js';
import { enumField } from '../shared/input/fields.js';
import { SEED_RANGE } from '../shared/config/defaults.js';
import { SCHEDULER_KINDS, type SchedulerKind } from './manifest.js';
import { decodePubSubEvent, eventAgeSeconds } from './pubsub-event.js';
import { InvalidInputError, parseJsonInput } from '../shared/input/invalid-input.js';
import { getService, type Service } from './service.js';

/** What Cloud Scheduler publishes to the reconcile topic (functions/manifest.ts SCHEDULER_MESSAGES). */
const SchedulerMessageSchema = z.strictObject({ kind: enumField(SCHEDULER_KINDS) });

/**
 * Kinds a later message of the same kind supersedes: a tick that waited longer than
 * MAX_EVENT_AGE_SECONDS (behind a long pass, or while the function could not answer) is dropped, or a
 * backlog of them would each run a full pass. `verify` is daily, so a late one still runs.
 */
const SUPERSEDED_WHEN_LATE: ReadonlySet<SchedulerKind> = new Set(['reconcile', 'heal']);

/**
 * Pub/Sub trigger on the reconcile topic, published by Cloud Scheduler: `reconcile` (every minute)
 * drives every active run; `heal` (hourly) compares the warehouse with the coverage targets and starts
 * a run for the gaps; `verify` (daily) verifies the coverage targets and alerts.
 */
export async function reconcile(event: CloudEvent<unknown>): Promise<void> {
  const service = await getService();
  const log = service.logger.child({ function: 'reconcile', eventId: event.id });
  const decoded = decodePubSubEvent(event.data);
  if ('error' in decoded) {
    log.error('poison event acknowledged', { error: decoded.error });
    return;
  }
  let kind: SchedulerKind = 'reconcile';
  const text = decoded.data.toString('utf8').trim();
  if (text) {
    try {
      kind = parseJsonInput(SchedulerMessageSchema, text, 'scheduler message').kind;
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      log.error('unknown scheduler message; acknowledged', { text: text.slice(0, 200), problems: error.problems });
      return;
    }
  }
  const ageSeconds = eventAgeSeconds(decoded, service.clock.now());
  const maxAgeSeconds = service.config.limits.maxEventAgeSeconds;
  if (ageSeconds !== undefined && ageSeconds > maxAgeSeconds && SUPERSEDED_WHEN_LATE.has(kind)) {
    log.warn(`dropping a ${kind} tick older than MAX_EVENT_AGE_SECONDS; the next one does its work`, {
      kind, ageSeconds: Math.round(ageSeconds), maxAgeSeconds, messageId: decoded.messageId,
    });
    return;
  }
  if (kind === 'verify') await scheduledVerification(service);
  else if (kind === 'heal') await healTick(service);
  else await reconcileTick(service);
}

function reconcileLimits(service: Service) {
  const { limits } = service.config;
  return {
    maxInFlight: limits.maxInFlight,
    maxInFlightPerTable: limits.maxInFlightPerTable,
    maxAttempts: limits.maxAttempts,
    datesPerJob: limits.datesPerJob,
    maxDatesPerJob: limits.maxDatesPerJob,
    queuedStallMs: limits.leaseMs,
  };
}

function reconcileDeps(service: Service) {
  return { ...service, onRunFinished: (run: RunRecord) => verifyFinishedRun(service, run) };
}

/** `reconcile`: every active run moves on (leases, retries, publishing, finishing). No healing here. */
export async function reconcileTick(service: Service): Promise<void> {
  const ticks = await reconcileRuns(reconcileDeps(service), reconcileLimits(service));
  service.logger.info('reconcile done', {
    runs: ticks.length,
    published: ticks.reduce((n, t) => n + t.published, 0),
  });
}

/** `heal`: the warehouse against the coverage targets; a run for the gaps, its chunks published at once. */
export async function healTick(service: Service): Promise<void> {
  const { coverageTargets } = service.config;
  if (coverageTargets.length === 0) {
    service.logger.info('heal skipped: coverage healing is off (COVERAGE_START empty, no COVERAGE_TARGETS)');
    return;
  }
  const heal = await healCoverage(service, coverageTargets, 'production', { excludeDates: service.config.coverageExcludeDates });
  // Publish the heal run's chunks in this same tick: one heal message brings a missing partition back.
  const ticks = heal.run?.state === 'active'
    ? await reconcileRuns(reconcileDeps(service), reconcileLimits(service), { runIds: [heal.run.id] })
    : [];
  service.logger.info('heal done', {
    healRun: heal.run?.id ?? null,
    published: ticks.reduce((n, t) => n + t.published, 0),
    coverageGaps: heal.gaps.length,
    waitingForSource: heal.waitingForSource.length,
  });
}

async function verifyFinishedRun(service: Service, run: RunRecord): Promise<void> {
  const outcome = await runVerification(service, scopeOfRequest(run.request), 'json');
  await service.alerter.afterVerification(outcome.report, { trigger: 'run_finished', runId: run.id, expectComplete: true });
}

export async function scheduledVerification(service: Service): Promise<void> {
  const { coverageTargets } = service.config;
  const tables = coverageTargets.length ? coverageTargets.map((t) => t.table) : [...ANALYTICS_TABLES];
  const start = coverageTargets.map((t) => t.start).sort()[0] ?? SEED_RANGE.start;
  // Only the exclusions configured for the coverage target (COVERAGE_EXCLUDE_DATES), never a run's.
  const outcome = await runVerification(service, { tables, start, mode: 'production', excludeDates: service.config.coverageExcludeDates }, 'json');
  service.logger.info('scheduled verification', { status: outcome.report.overall.status, line: outcome.report.overall.line });
  await service.alerter.afterVerification(outcome.report, { trigger: 'scheduled', expectComplete: true });
}
