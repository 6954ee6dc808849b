import type { VerificationSummary } from '../verify/verification-summary.js';
import type { AlertEventType } from './alert-event.js';
import { alertId, type AlertState, type AlertWrite } from './alert-records.js';
import { shouldAlert, type SummaryProblem } from './alert-policy.js';

export interface PlanAlertsInput {
  readonly summary: VerificationSummary;
  readonly scopeKey: string;
  /**
   * Stored alerts of this scope key: every open one, and the stored ones (any status) of the
   * fingerprints in the summary. Alerts of other scope keys are ignored.
   */
  readonly alerts: readonly AlertState[];
  readonly now: number;
  readonly repeatAfterMs: number;
  readonly expectComplete: boolean;
}

export type AlertAction =
  | {
      readonly type: 'notify';
      readonly event: AlertEventType;
      /** The stored alert this starts from (null: none yet); its revision is the compare-and-set token. */
      readonly current: AlertState | null;
      /** The alert once the primary sink has the event. */
      readonly sent: AlertWrite;
      /** The alert when no notification went out: seen but not notified, so the next verification tries again. */
      readonly unsent: AlertWrite;
    }
  /** A change nobody is told about: lastSeenAt, a newer description, closing an alert never announced. */
  | { readonly type: 'update'; readonly current: AlertState; readonly next: AlertWrite };

/**
 * What one verification means for the alerts of its scope, per fingerprint:
 *
 * - a problem that alerts (alert-policy.ts) with no open alert: `firing`, once;
 * - the same problem again: nothing sent; after `repeatAfterMs` since the last notification: `repeat`;
 * - an open alert whose problem the verification no longer has, for a table it verified: `resolved`,
 *   once (silently closed if its `firing` never got out);
 * - a problem back after it was resolved: `firing` again, first seen now.
 *
 * An alert whose notification another verification has claimed (unexpired) is left to that one.
 */
export function planAlerts(input: PlanAlertsInput): AlertAction[] {
  const { summary, scopeKey, now } = input;
  const stored = new Map(input.alerts.filter((a) => a.scopeKey === scopeKey).map((a) => [a.id, a]));
  const statusOf = new Map(summary.tables.map((t) => [t.table, t.status]));
  const actions: AlertAction[] = [];
  const present = new Set<string>();

  for (const problem of uniqueByFingerprint(summary.problems)) {
    const id = alertId(scopeKey, problem.fingerprint);
    present.add(id);
    const current = stored.get(id) ?? null;
    if (current && claimedByOther(current, now)) continue;
    const alerts = shouldAlert(problem, { expectComplete: input.expectComplete, tableStatus: statusOf.get(problem.table) });
    const action = planPresent(input, id, problem, current, alerts);
    if (action) actions.push(action);
  }

  const verified = new Set(summary.tables.map((t) => t.table));
  for (const current of stored.values()) {
    if (current.status !== 'open' || present.has(current.id) || !verified.has(current.table)) continue;
    if (claimedByOther(current, now)) continue;
    const { revision: _revision, ...base } = current;
    const closed: AlertWrite = { ...base, status: 'resolved', resolvedAt: now, claim: null };
    if (current.lastNotifiedAt === null) actions.push({ type: 'update', current, next: closed });
    else actions.push({ type: 'notify', event: 'resolved', current, sent: { ...closed, lastNotifiedAt: now, lastEvent: 'resolved' }, unsent: { ...base, claim: null } });
  }
  return actions.sort((a, b) => idOf(a).localeCompare(idOf(b)));
}

function planPresent(input: PlanAlertsInput, id: string, problem: SummaryProblem, current: AlertState | null, alerts: boolean): AlertAction | null {
  const { now } = input;
  const seen = {
    description: problem.description,
    severity: problem.severity,
    lastSeenAt: now,
    claim: null,
  } as const;
  if (current === null || current.status === 'resolved') {
    if (!alerts) return null;
    const unsent: AlertWrite = {
      id, scopeKey: input.scopeKey, mode: input.summary.scope.mode, fingerprint: problem.fingerprint, table: problem.table,
      kind: problem.kind, subject: problem.subject, ...seen, status: 'open', firstSeenAt: now, lastNotifiedAt: null, lastEvent: null, resolvedAt: null,
    };
    return { type: 'notify', event: 'firing', current, sent: { ...unsent, lastNotifiedAt: now, lastEvent: 'firing' }, unsent };
  }
  const { revision: _revision, ...base } = current;
  const unsent: AlertWrite = { ...base, ...seen };
  if (alerts && current.lastNotifiedAt === null) {
    return { type: 'notify', event: 'firing', current, sent: { ...unsent, lastNotifiedAt: now, lastEvent: 'firing' }, unsent };
  }
  if (alerts && current.lastNotifiedAt !== null && now - current.lastNotifiedAt >= input.repeatAfterMs) {
    return { type: 'notify', event: 'repeat', current, sent: { ...unsent, lastNotifiedAt: now, lastEvent: 'repeat' }, unsent };
  }
  return { type: 'update', current, next: unsent };
}

function claimedByOther(alert: AlertState, now: number): boolean {
  return alert.claim !== null && alert.claim.expiresAt > now;
}

/** The first of each fingerprint: one alert per problem identity. */
function uniqueByFingerprint(problems: readonly SummaryProblem[]): SummaryProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    if (seen.has(p.fingerprint)) return false;
    seen.add(p.fingerprint);
    return true;
  });
}

function idOf(action: AlertAction): string {
  return action.type === 'notify' ? action.sent.id : action.next.id;
}
