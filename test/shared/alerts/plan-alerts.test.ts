import assert from 'node:assert/strict';
import type { AlertState } from '../../../shared/alerts/alert-records.js';
import { planAlerts, type AlertAction, type PlanAlertsInput } from '../../../shared/alerts/plan-alerts.js';
import { scopeKey } from '../../../shared/alerts/scope-key.js';
import type { VerificationReport } from '../../../shared/verify/report-schema.js';
import { summarizeReport } from '../../../shared/verify/verification-summary.js';
import { DAY, HOUR, MINUTE, RANGE, T0, afterSending, dateProblem, duplicateKeys, offensePointsMismatch, reportOf, tableWith } from './alert-fixtures.js';

const KEY = scopeKey({ mode: 'production', ...RANGE }, false);
const REPEAT_AFTER_MS = DAY;

function plan(report: VerificationReport, alerts: readonly AlertState[], now: number, over: Partial<PlanAlertsInput> = {}): AlertAction[] {
  return planAlerts({ summary: summarizeReport(report), scopeKey: KEY, alerts, now, repeatAfterMs: REPEAT_AFTER_MS, expectComplete: false, ...over });
}

const notifications = (actions: readonly AlertAction[]) =>
  actions.flatMap((a) => (a.type === 'notify' ? [{ event: a.event, table: a.sent.table, kind: a.sent.kind }] : []));

const failing = () => reportOf([tableWith('team_offense_game_summary', [offensePointsMismatch()])]);
const healthy = () => reportOf([tableWith('team_offense_game_summary')]);

describe('planAlerts', () => {
  it('fires once for a new wrong-data problem, with the alert open and notified now', () => {
    const actions = plan(failing(), [], T0);
    assert.deepEqual(notifications(actions), [{ event: 'firing', table: 'team_offense_game_summary', kind: 'cross_table_mismatch' }]);
    const [action] = actions;
    assert.ok(action?.type === 'notify');
    assert.equal(action.current, null);
    assert.deepEqual(
      [action.sent.status, action.sent.firstSeenAt, action.sent.lastNotifiedAt, action.sent.lastEvent, action.sent.scopeKey],
      ['open', T0, T0, 'firing', KEY],
    );
    assert.equal(action.unsent.lastNotifiedAt, null, 'unsent, the alert stays to be fired again');
  });

  it('sends nothing for the same problem on the next tick, and only moves lastSeenAt', () => {
    const first = afterSending([], plan(failing(), [], T0));
    const actions = plan(failing(), first, T0 + 10 * MINUTE);
    assert.deepEqual(notifications(actions), []);
    assert.equal(actions.length, 1);
    const [update] = actions;
    assert.ok(update?.type === 'update');
    assert.equal(update.next.lastSeenAt, T0 + 10 * MINUTE);
    assert.equal(update.next.lastNotifiedAt, T0);
  });

  it('repeats a problem still there once the quiet period since the last notification has passed, not before', () => {
    const first = afterSending([], plan(failing(), [], T0));
    assert.deepEqual(notifications(plan(failing(), first, T0 + REPEAT_AFTER_MS - 1)), []);
    const due = plan(failing(), first, T0 + REPEAT_AFTER_MS);
    assert.deepEqual(notifications(due).map((n) => n.event), ['repeat']);
    const repeated = afterSending(first, due);
    assert.deepEqual(notifications(plan(failing(), repeated, T0 + REPEAT_AFTER_MS + HOUR)), [], 'the quiet period restarts at the repeat');
    assert.equal(repeated[0]?.firstSeenAt, T0, 'a repeat keeps when it was first seen');
  });

  it('resolves once when the problem is gone, and then says nothing more', () => {
    const open = afterSending([], plan(failing(), [], T0));
    const actions = plan(healthy(), open, T0 + HOUR);
    assert.deepEqual(notifications(actions).map((n) => n.event), ['resolved']);
    const [resolved] = actions;
    assert.ok(resolved?.type === 'notify');
    assert.deepEqual([resolved.sent.status, resolved.sent.resolvedAt, resolved.sent.lastEvent], ['resolved', T0 + HOUR, 'resolved']);
    assert.equal(resolved.unsent.status, 'open', 'unsent, the alert stays open so the next verification resolves it');
    const closed = afterSending(open, actions);
    assert.deepEqual(plan(healthy(), closed, T0 + 2 * HOUR), []);
  });

  it('fires again, first seen anew, when a resolved problem comes back', () => {
    const open = afterSending([], plan(failing(), [], T0));
    const closed = afterSending(open, plan(healthy(), open, T0 + HOUR));
    const actions = plan(failing(), closed, T0 + 2 * HOUR);
    assert.deepEqual(notifications(actions).map((n) => n.event), ['firing']);
    const [action] = actions;
    assert.ok(action?.type === 'notify');
    assert.equal(action.current?.status, 'resolved', 'from the stored alert, so the compare-and-set has its revision');
    assert.equal(action.sent.firstSeenAt, T0 + 2 * HOUR);
    assert.equal(action.sent.resolvedAt, null);
  });

  it('leaves the alerts of another scope key alone: a verification of another range does not resolve them', () => {
    const open = afterSending([], plan(failing(), [], T0));
    const otherRange = reportOf([tableWith('team_offense_game_summary')], { start: '2021-12-01', end: '2021-12-31' });
    const otherKey = scopeKey({ mode: 'production', start: '2021-12-01', end: '2021-12-31' }, false);
    assert.deepEqual(plan(otherRange, open, T0 + HOUR, { scopeKey: otherKey }), []);
  });

  it('does not resolve the alert of a table the verification did not look at', () => {
    const open = afterSending([], plan(failing(), [], T0));
    const otherTable = reportOf([tableWith('team_defense_game_summary')]);
    assert.deepEqual(plan(otherTable, open, T0 + HOUR), []);
  });

  it('alerts gaps only when the caller expects the scope complete', () => {
    const gap = reportOf([tableWith('player_game_summary', [dateProblem('not_processed')])]);
    assert.deepEqual(plan(gap, [], T0, { expectComplete: false }), []);
    assert.deepEqual(notifications(plan(gap, [], T0, { expectComplete: true })), [{ event: 'firing', table: 'player_game_summary', kind: 'date_rows' }]);
  });

  it('never alerts no_source gaps, even where the scope should be complete', () => {
    const report = reportOf([tableWith('player_game_summary', [dateProblem('no_source')])]);
    assert.equal(report.tables[0]?.status, 'INCOMPLETE');
    assert.deepEqual(plan(report, [], T0, { expectComplete: true }), []);
  });

  it('does not alert gaps of a table an active run is still filling, but does alert its wrong data', () => {
    const report = reportOf([tableWith('player_game_summary', [dateProblem('not_processed')], 5)]);
    assert.equal(report.tables[0]?.status, 'IN_PROGRESS');
    assert.deepEqual(plan(report, [], T0, { expectComplete: true }), []);
    const wrong = reportOf([tableWith('player_game_summary', [dateProblem('excess', '2021-11-06')], 5)]);
    const [excess] = plan(wrong, [], T0, { expectComplete: false });
    assert.ok(excess?.type === 'notify');
    assert.deepEqual([excess.event, excess.sent.subject, excess.sent.severity], ['firing', 'excess', 'wrong_data']);
  });

  it('keeps an open gap alert quiet, without repeating, while the caller no longer expects the scope complete', () => {
    const gap = reportOf([tableWith('player_game_summary', [dateProblem('failed')])]);
    const open = afterSending([], plan(gap, [], T0, { expectComplete: true }));
    const actions = plan(gap, open, T0 + 2 * REPEAT_AFTER_MS, { expectComplete: false });
    assert.deepEqual(notifications(actions), []);
    assert.deepEqual(actions.map((a) => a.type), ['update'], 'still seen, still open');
  });

  it('fires again an open alert whose firing never got out, and closes silently one whose problem went before it did', () => {
    const [unsent] = plan(failing(), [], T0);
    assert.ok(unsent?.type === 'notify');
    const stored: AlertState[] = [{ ...unsent.unsent, revision: 1 }];
    assert.deepEqual(notifications(plan(failing(), stored, T0 + HOUR)).map((n) => n.event), ['firing']);
    const gone = plan(healthy(), stored, T0 + HOUR);
    assert.deepEqual(gone.map((a) => a.type), ['update']);
    const [close] = gone;
    assert.ok(close?.type === 'update');
    assert.equal(close.next.status, 'resolved');
  });

  it('skips an alert whose notification another verification has claimed, until the claim expires', () => {
    const open = afterSending([], plan(failing(), [], T0));
    const claimed = open.map((a) => ({ ...a, claim: { token: 'other', event: 'resolved' as const, expiresAt: T0 + HOUR + 5 * MINUTE } }));
    assert.deepEqual(plan(healthy(), claimed, T0 + HOUR), []);
    assert.deepEqual(notifications(plan(healthy(), claimed, T0 + HOUR + 5 * MINUTE)).map((n) => n.event), ['resolved']);
  });

  it('plans one alert per fingerprint, each problem of a report on its own', () => {
    const report = reportOf([
      tableWith('team_offense_game_summary', [offensePointsMismatch(), duplicateKeys()]),
      tableWith('team_defense_game_summary', [duplicateKeys()]),
    ]);
    const actions = plan(report, [], T0);
    assert.equal(actions.length, 3);
    assert.equal(new Set(actions.map((a) => (a.type === 'notify' ? a.sent.id : a.next.id))).size, 3);
  });
});
