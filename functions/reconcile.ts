import type { CloudEvent } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { reconcileRuns } from '../shared/reconcile/reconcile.js';
import { healCoverage } from '../shared/reconcile/heal-coverage.js';
import { runVerification } from '../shared/api/verify-endpoint.js';
import type { RunRecord } from '../shared/ports/ledger.js';
import { ANALYTICS_TABLES } from '../shared/tables/names.js';
import { decodePubSubEvent } from './pubsub-event.js';
import { getService, type Service } from './service.js';

/** What Cloud Scheduler publishes to the reconcile topic (functions/manifest.ts SCHEDULER_MESSAGES). */
const SchedulerMessageSchema = z.object({ kind: z.enum(['reconcile', 'verify']) }).strict();

/**
 * Pub/Sub trigger on the reconcile topic, published by Cloud Scheduler: `reconcile` every few
 * minutes drives every active run and heals coverage; `verify` (daily) verifies the coverage
 * targets and alerts.
 */
export async function reconcile(event: CloudEvent<unknown>): Promise<void> {
  const service = await getService();
  const log = service.logger.child({ function: 'reconcile', eventId: event.id });
  const decoded = decodePubSubEvent(event.data);
  if ('error' in decoded) {
    log.error('poison event acknowledged', { error: decoded.error });
    return;
  }
  let kind: 'reconcile' | 'verify' = 'reconcile';
  const text = decoded.data.toString('utf8').trim();
  if (text) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      log.error('scheduler message is not JSON; acknowledged', { text: text.slice(0, 200) });
      return;
    }
    const parsed = SchedulerMessageSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).slice(0, 5);
      log.error('unknown scheduler message; acknowledged', { text: text.slice(0, 200), problems });
      return;
    }
    kind = parsed.data.kind;
  }
  if (kind === 'verify') await scheduledVerification(service);
  else await reconcileTick(service);
}

export async function reconcileTick(service: Service): Promise<void> {
  const { config } = service;
  const deps = { ...service, onRunFinished: (run: RunRecord) => verifyFinishedRun(service, run) };
  const limits = {
    maxInFlight: config.limits.maxInFlight,
    maxInFlightPerTable: config.limits.maxInFlightPerTable,
    maxAttempts: config.limits.maxAttempts,
    datesPerJob: config.limits.datesPerJob,
    queuedStallMs: config.limits.leaseMs,
  };
  const ticks = await reconcileRuns(deps, limits);
  const heal = config.coverageTargets.length ? await healCoverage(service, config.coverageTargets) : null;
  // Publish the heal run's chunks in this same tick: one scheduler message brings a missing partition back.
  if (heal?.run?.state === 'active') ticks.push(...(await reconcileRuns(deps, limits, { runIds: [heal.run.id] })));
  service.logger.info('reconcile done', {
    runs: ticks.length,
    published: ticks.reduce((n, t) => n + t.published, 0),
    healRun: heal?.run?.id ?? null,
    coverageGaps: heal?.gaps.length ?? 0,
    waitingForSource: heal?.waitingForSource.length ?? 0,
  });
}

async function verifyFinishedRun(service: Service, run: RunRecord): Promise<void> {
  const r = run.request;
  const outcome = await runVerification(service, { tables: r.tables, start: r.start, end: r.end, mode: r.mode }, 'json');
  await service.alerter.afterVerification(outcome.report, { trigger: 'run_finished', runId: run.id, expectComplete: true });
}

export async function scheduledVerification(service: Service): Promise<void> {
  const { coverageTargets } = service.config;
  const tables = coverageTargets.length ? coverageTargets.map((t) => t.table) : [...ANALYTICS_TABLES];
  const start = coverageTargets.map((t) => t.start).sort()[0] ?? '2016-10-01';
  const outcome = await runVerification(service, { tables, start, mode: 'production' }, 'json');
  service.logger.info('scheduled verification', { status: outcome.report.overall.status, line: outcome.report.overall.line });
  await service.alerter.afterVerification(outcome.report, { trigger: 'scheduled', expectComplete: true });
}
