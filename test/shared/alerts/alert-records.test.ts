import assert from 'node:assert/strict';
import { alertId, foldPassing, verificationRecordId, type VerificationRecord } from '../../../shared/alerts/alert-records.js';
import { scopeKey } from '../../../shared/alerts/scope-key.js';
import { summarizeReport } from '../../../shared/verify/verification-summary.js';
import { HOUR, T0, offensePointsMismatch, reportOf, tableWith } from './alert-fixtures.js';

const KEY = 'production:2021-11-01..2021-11-30';

function record(at: number, offenseFails: boolean): VerificationRecord {
  const report = reportOf(
    [tableWith('team_offense_game_summary', offenseFails ? [offensePointsMismatch()] : []), tableWith('team_defense_game_summary')],
    { at },
  );
  return { id: verificationRecordId(KEY, at, 'scheduled', null), scopeKey: KEY, trigger: 'scheduled', runId: null, verifiedAt: at, summary: summarizeReport(report) };
}

describe('scope keys and alert ids', () => {
  it('keys a scope by mode and range, and a rolling one by its start only', () => {
    assert.equal(scopeKey({ mode: 'production', start: '2021-11-01', end: '2021-11-30' }, false), KEY);
    assert.equal(scopeKey({ mode: 'test', start: '2016-10-01', end: '2024-06-30' }, true), 'test:2016-10-01..');
    assert.equal(
      scopeKey({ mode: 'production', start: '2016-10-01', end: '2024-06-30' }, true),
      scopeKey({ mode: 'production', start: '2016-10-01', end: '2024-07-01' }, true),
    );
  });

  it('makes alert ids that name the scope and fingerprint and hold no slash (Firestore document ids)', () => {
    const id = alertId(KEY, '0123456789abcdef');
    assert.equal(id, 'production:2021-11-01..2021-11-30#0123456789abcdef');
    assert.doesNotMatch(id, /\//);
  });

  it('derives the same record id from the same verification, another from another trigger', () => {
    assert.equal(verificationRecordId(KEY, T0, 'scheduled', null), verificationRecordId(KEY, T0, 'scheduled', null));
    assert.notEqual(verificationRecordId(KEY, T0, 'scheduled', null), verificationRecordId(KEY, T0, 'run_finished', 'run-1'));
    assert.match(verificationRecordId(KEY, T0, 'manual', null), /^2024-07-01T12:00:00.000Z~[0-9a-f]{12}$/);
  });
});

describe('foldPassing', () => {
  it('remembers when the scope and each table last passed, through later failures', () => {
    const passed = foldPassing(null, record(T0, false));
    const failed = foldPassing(passed, record(T0 + HOUR, true));
    assert.equal(failed.lastVerifiedAt, T0 + HOUR);
    assert.equal(failed.lastPassedAt, T0);
    assert.deepEqual(failed.tables.team_offense_game_summary, { lastVerifiedAt: T0 + HOUR, lastPassedAt: T0 });
    assert.deepEqual(failed.tables.team_defense_game_summary, { lastVerifiedAt: T0 + HOUR, lastPassedAt: T0 + HOUR });
  });

  it('has no pass for a scope that never passed', () => {
    const folded = foldPassing(null, record(T0, true));
    assert.equal(folded.lastPassedAt, null);
    assert.equal(folded.tables.team_offense_game_summary?.lastPassedAt, null);
  });

  it('never moves back in time when an older verification is recorded late', () => {
    const latest = foldPassing(null, record(T0 + HOUR, false));
    const late = foldPassing(latest, record(T0, true));
    assert.equal(late.lastVerifiedAt, T0 + HOUR);
    assert.equal(late.lastPassedAt, T0 + HOUR);
  });
});
