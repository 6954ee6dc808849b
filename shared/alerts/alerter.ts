import { randomUUID } from 'node:crypto';
import type { Clock } from '../ports/clock.js';
import type { AlertSink } from '../ports/alert-sink.js';
import type { AlertStore, VerificationHistory } from '../ports/alert-store.js';
import type { AlertState } from './alert-records.js';
import type { Logger } from '../log/logger.js';
import { errorMessage } from '../errors/errors.js';
import type { VerificationReport } from '../verify/report-schema.js';
import { summarizeReport, type VerificationSummary } from '../verify/verification-summary.js';
import { ALERT_DEFAULTS } from './alert-defaults.js';
import type { AlertEvent, VerificationTrigger } from './alert-event.js';
import { alertEvent, type EventContext } from './alert-events.js';
import { alertId, verificationRecord } from './alert-records.js';
import { planAlerts, type AlertAction } from './plan-alerts.js';
import { isRollingTrigger, scopeKey as scopeKeyOf } from './scope-key.js';

export interface AlerterDeps {
  readonly store: AlertStore;
  /**
   * The first is the primary (Pub/Sub): an event counts as notified once the primary has it. The
   * others are best effort: their failures are logged and never retried on their own.
   */
  readonly sinks: readonly AlertSink[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** ALERT_REPEAT_AFTER_MS: a problem still there this long after its last notification is sent again. */
  readonly repeatAfterMs: number;
  readonly claimTtlMs?: number;
  /** Claim tokens; random by default. */
  readonly newToken?: () => string;
}

export interface AfterVerificationOptions {
  readonly trigger: VerificationTrigger;
  readonly runId?: string | undefined;
  /** The scope should be complete (a finished run's scope, the coverage target): gaps alert too. */
  readonly expectComplete: boolean;
  /** Overrides the scope key (scope-key.ts), e.g. to share alerts between verifications of several ranges. */
  readonly scopeKey?: string | undefined;
}

export interface AlertingOutcome {
  readonly scopeKey: string;
  readonly summary: VerificationSummary;
  /** The history took this verification (false: it had it already, or the write failed and was logged). */
  readonly recorded: boolean;
  /** Events the primary sink took. */
  readonly sent: AlertEvent[];
  /** Events the primary sink refused: the alerts stay unnotified, so the next verification of the scope sends again. */
  readonly undelivered: AlertEvent[];
  /** Notifications another verification claimed first. */
  readonly claimedElsewhere: number;
}

export interface Alerter {
  /**
   * Record the verification in the history, then send what it means for the alerts of its scope
   * (plan-alerts.ts) to every sink, and log each event: `verification_failed` (ERROR) for firing and
   * repeat, `verification_resolved` (INFO) for resolved. A sink's failure never throws; a failure to
   * read or write alert states does, after every other alert was handled (transient: retry).
   */
  afterVerification(report: VerificationReport, options: AfterVerificationOptions): Promise<AlertingOutcome>;
  /** The verifications recorded so far, for a status to say when a scope last passed. */
  readonly history: VerificationHistory;
  /** The alert states, for a status page to list the open ones. */
  readonly alerts?: Pick<AlertStore, 'listAlerts'>;
  close(): Promise<void>;
}

export class NoAlertSinkError extends Error {
  override readonly name = 'NoAlertSinkError';
}

type Result = { readonly kind: 'sent' | 'undelivered'; readonly event: AlertEvent } | { readonly kind: 'claimed_elsewhere' | 'updated' };

export function createAlerter(deps: AlerterDeps): Alerter {
  const { store, sinks, clock } = deps;
  const [primary] = sinks;
  if (!primary) throw new NoAlertSinkError('the alerter needs at least one sink (the first is the primary)');
  const claimTtlMs = deps.claimTtlMs ?? ALERT_DEFAULTS.claimTtlMs;
  const newToken = deps.newToken ?? randomUUID;

  async function afterVerification(report: VerificationReport, options: AfterVerificationOptions): Promise<AlertingOutcome> {
    const summary = summarizeReport(report);
    const scopeKey = options.scopeKey ?? scopeKeyOf(summary.scope, isRollingTrigger(options.trigger));
    const runId = options.runId ?? null;
    const log = deps.logger.child({ scopeKey, trigger: options.trigger, ...(runId ? { runId } : {}) });
    const recorded = await record(summary, scopeKey, options.trigger, runId, log);

    const now = clock.now();
    const alerts = await loadAlerts(summary, scopeKey);
    const actions = planAlerts({ summary, scopeKey, alerts, now, repeatAfterMs: deps.repeatAfterMs, expectComplete: options.expectComplete });
    const context: EventContext = { report, scopeKey, trigger: options.trigger, runId, now };
    const settled = await Promise.allSettled(actions.map((action) => (action.type === 'notify' ? notify(action, context, log) : update(action))));

    const results = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    const outcome: AlertingOutcome = {
      scopeKey,
      summary,
      recorded,
      sent: results.flatMap((r) => (r.kind === 'sent' ? [r.event] : [])),
      undelivered: results.flatMap((r) => (r.kind === 'undelivered' ? [r.event] : [])),
      claimedElsewhere: results.filter((r) => r.kind === 'claimed_elsewhere').length,
    };
    log.info('alerts after verification', {
      status: summary.overall.status, problems: summary.problems.length, sent: outcome.sent.length,
      undelivered: outcome.undelivered.length, claimedElsewhere: outcome.claimedElsewhere, storeFailures: failures.length,
    });
    if (failures.length > 0) {
      for (const error of failures) log.error('alert state not written', { error: errorMessage(error) });
      // The first as it is: its code is what says whether retrying helps (shared/errors/classify.ts).
      throw failures[0];
    }
    return outcome;
  }

  /** A history write that fails is logged: it must not keep a failing verification from alerting. */
  async function record(summary: VerificationSummary, scopeKey: string, trigger: VerificationTrigger, runId: string | null, log: Logger): Promise<boolean> {
    try {
      const { recorded } = await store.recordVerification(verificationRecord(summary, scopeKey, trigger, runId));
      return recorded;
    } catch (error) {
      log.error('verification not recorded in the history', { error: errorMessage(error) });
      return false;
    }
  }

  /** Every open alert of the scope, and the stored ones of the problems found (a resolved one may reopen). */
  async function loadAlerts(summary: VerificationSummary, scopeKey: string): Promise<AlertState[]> {
    const open = await store.listAlerts(scopeKey, { statuses: ['open'] });
    const known = new Set(open.map((a) => a.id));
    const others = [...new Set(summary.problems.map((p) => alertId(scopeKey, p.fingerprint)))].filter((id) => !known.has(id));
    return [...open, ...(others.length > 0 ? await store.getAlerts(others) : [])];
  }

  async function update(action: Extract<AlertAction, { type: 'update' }>): Promise<Result> {
    // Lost to another writer: that one saw the same problem at about the same time.
    await store.putAlert(action.next, action.current.revision);
    return { kind: 'updated' };
  }

  /**
   * Claim, send, settle. The claim (a compare-and-set from the state the plan saw) makes one
   * verification the sender; the alert is marked notified only once the primary sink has the event,
   * and otherwise left unnotified so the next verification sends it again.
   */
  async function notify(action: Extract<AlertAction, { type: 'notify' }>, context: EventContext, log: Logger): Promise<Result> {
    const token = newToken();
    const claim = { token, event: action.event, expiresAt: context.now + claimTtlMs };
    const claimed = await store.putAlert({ ...action.unsent, claim }, action.current?.revision ?? null);
    if (!claimed) return { kind: 'claimed_elsewhere' };

    const event = alertEvent(action.event, action.sent, context);
    const outcomes = await Promise.allSettled(sinks.map((sink) => sink.send(event)));
    const bySink: Record<string, string> = {};
    outcomes.forEach((outcome, i) => {
      const sink = sinks[i] as AlertSink;
      bySink[sink.name] = outcome.status === 'fulfilled' ? 'sent' : 'failed';
      if (outcome.status === 'rejected') {
        log.warn(`alert sink ${sink.name} failed`, { sink: sink.name, primary: i === 0, fingerprint: event.fingerprint, error: errorMessage(outcome.reason) });
      }
    });
    const delivered = outcomes[0]?.status === 'fulfilled';
    logEvent(log, event, delivered, bySink);

    const settled = await store.putAlert(delivered ? action.sent : action.unsent, claimed.revision);
    if (!settled) log.warn('alert changed while its notification was being sent; left as the other writer made it', { fingerprint: event.fingerprint });
    return { kind: delivered ? 'sent' : 'undelivered', event };
  }

  return {
    afterVerification,
    history: store,
    alerts: store,
    close: () => store.close(),
  };
}

/**
 * The log line the log-based alert policy counts (infra/monitoring.tf): severity ERROR with
 * jsonPayload.event = "verification_failed" and jsonPayload.table. Written once per firing or repeat
 * this verification claimed, whether or not the sinks took it: the log is the channel that does not
 * depend on them.
 */
function logEvent(log: Logger, event: AlertEvent, delivered: boolean, sinks: Record<string, string>): void {
  const fields = {
    alertType: event.type,
    table: event.table,
    kind: event.kind,
    subject: event.subject,
    // Not `severity`: that key is the log entry's own (ERROR), which the policy matches on.
    problemSeverity: event.severity,
    fingerprint: event.fingerprint,
    mode: event.scope.mode,
    start: event.scope.start,
    end: event.scope.end,
    firstSeenAt: event.firstSeenAt,
    description: event.description,
    delivered,
    sinks,
  };
  if (event.type === 'resolved') log.info(`verification resolved: ${event.table}: ${event.description}`, { event: 'verification_resolved', ...fields });
  else log.error(`verification failed: ${event.table}: ${event.description}`, { event: 'verification_failed', ...fields });
}
