import type { VerificationReport } from '../verify/report-schema.js';
import type { AlertEvent, AlertEventType, VerificationTrigger } from './alert-event.js';
import type { AlertWrite } from './alert-records.js';
import { reportExcerpt, type ExcerptLimits } from './report-excerpt.js';

export interface EventContext {
  readonly report: VerificationReport;
  readonly scopeKey: string;
  readonly trigger: VerificationTrigger;
  readonly runId: string | null;
  readonly now: number;
  readonly excerpt?: ExcerptLimits;
}

/** The event a planned notification sends, from the alert as it will be once sent. */
export function alertEvent(type: AlertEventType, alert: AlertWrite, context: EventContext): AlertEvent {
  const { report } = context;
  return {
    version: 1,
    type,
    fingerprint: alert.fingerprint,
    table: alert.table,
    kind: alert.kind,
    subject: alert.subject,
    severity: alert.severity,
    description: alert.description,
    scope: { key: context.scopeKey, mode: report.scope.mode, start: report.scope.start, end: report.scope.end },
    trigger: context.trigger,
    runId: context.runId,
    firstSeenAt: new Date(alert.firstSeenAt).toISOString(),
    at: new Date(context.now).toISOString(),
    reportExcerpt: reportExcerpt(report, alert, context.excerpt),
  };
}
