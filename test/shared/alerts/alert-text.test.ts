import assert from 'node:assert/strict';
import { AlertEventSchema } from '../../../shared/alerts/alert-event.js';
import { alertEvent } from '../../../shared/alerts/alert-events.js';
import { alertId } from '../../../shared/alerts/alert-records.js';
import { alertText } from '../../../shared/alerts/alert-text.js';
import { reportExcerpt } from '../../../shared/alerts/report-excerpt.js';
import { summarizeReport } from '../../../shared/verify/verification-summary.js';
import { HOUR, T0, dateProblem, offensePointsMismatch, reportOf, tableWith } from './alert-fixtures.js';

const KEY = 'production:2021-11-01..2021-11-30';

describe('alert events and their text', () => {
  const report = reportOf([tableWith('team_offense_game_summary', [offensePointsMismatch()])]);
  const [problem] = summarizeReport(report).problems;
  assert.ok(problem);
  const alert = {
    id: alertId(KEY, problem.fingerprint), scopeKey: KEY, mode: 'production' as const, fingerprint: problem.fingerprint, table: problem.table,
    kind: problem.kind, subject: problem.subject, severity: problem.severity, description: problem.description, status: 'open' as const,
    firstSeenAt: T0 - HOUR, lastSeenAt: T0, lastNotifiedAt: T0, lastEvent: 'firing' as const, resolvedAt: null, claim: null,
  };

  it('builds an event that matches the published schema, with the excerpt naming the mismatched key', () => {
    const event = alertEvent('firing', alert, { report, scopeKey: KEY, trigger: 'run_finished', runId: 'run-1', now: T0 });
    assert.doesNotThrow(() => AlertEventSchema.parse(event));
    assert.equal(event.firstSeenAt, new Date(T0 - HOUR).toISOString());
    assert.deepEqual(event.scope, { key: KEY, mode: 'production', start: '2021-11-01', end: '2021-11-30' });
    assert.match(event.reportExcerpt, /team_offense_game_summary \(nba_analytics\) FAILED: offense_points_match_schedule: 1 mismatch of 24 compared/);
    assert.match(event.reportExcerpt, /0022100150\/LAL 999 \(expected 112\)/);
  });

  it('says in the excerpt of a resolved alert what the table is now', () => {
    const healthy = reportOf([tableWith('team_offense_game_summary')]);
    const excerpt = reportExcerpt(healthy, alert);
    assert.match(excerpt, /team_offense_game_summary \(nba_analytics\) COMPLETE: every check passed/);
  });

  it('cuts a long excerpt to the limit', () => {
    const many = reportOf([tableWith('player_game_summary', [dateProblem('failed')])]);
    const [gap] = summarizeReport(many).problems;
    assert.ok(gap);
    const excerpt = reportExcerpt(many, gap, { chars: 40, detailLines: 3, itemsShown: 3 });
    assert.equal(excerpt.length, 40);
    assert.ok(excerpt.endsWith('…'));
  });

  it('writes a chat message with the type, table, what is wrong and the excerpt in a code block', () => {
    const event = alertEvent('resolved', { ...alert, status: 'resolved' }, { report, scopeKey: KEY, trigger: 'scheduled', runId: null, now: T0 });
    const text = alertText(event);
    assert.match(text, /^:white_check_mark: RESOLVED team_offense_game_summary: cross_table_mismatch \(offense_points_match_schedule\), wrong_data/);
    assert.match(text, /was: offense_points_match_schedule: 1 mismatch of 24 compared/);
    assert.match(text, /```\n[\s\S]*0022100150\/LAL[\s\S]*\n```$/);
  });
});
