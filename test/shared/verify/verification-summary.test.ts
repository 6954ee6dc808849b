import assert from 'node:assert/strict';
import { VerificationSummarySchema, summarizeReport } from '../../../shared/verify/verification-summary.js';
import { sampleReport } from './report-fixture.js';

describe('summarizeReport', () => {
  it('keeps the status of each table and the overall line', () => {
    const summary = summarizeReport(sampleReport());
    assert.deepEqual(
      summary.tables.map((t) => [t.table, t.status]),
      [['team_offense_game_summary', 'COMPLETE'], ['player_game_summary', 'FAILED']],
    );
    assert.equal(summary.overall.line, '1/2 tables complete (50%)');
    assert.doesNotThrow(() => VerificationSummarySchema.parse(summary));
  });

  it('fingerprints each problem by what it is, not how large it is', () => {
    const before = summarizeReport(sampleReport());
    const grown = sampleReport();
    const failed = grown.tables[1]?.problems[1];
    assert.ok(failed && failed.kind === 'date_rows');
    failed.dates.push({ ...failed.dates[0]!, date: '2022-01-06' });
    const after = summarizeReport(grown);
    assert.deepEqual(after.problems.map((p) => p.fingerprint), before.problems.map((p) => p.fingerprint));
    assert.equal(after.problems[1]?.count, 2);
  });

  it('gives different problems different fingerprints, and the same problem in test mode another one', () => {
    const summary = summarizeReport(sampleReport());
    assert.equal(new Set(summary.problems.map((p) => p.fingerprint)).size, summary.problems.length);
    const test = sampleReport();
    const testSummary = summarizeReport({ ...test, scope: { ...test.scope, mode: 'test' } });
    assert.notEqual(testSummary.problems[0]?.fingerprint, summary.problems[0]?.fingerprint);
  });

  it('marks severity so alerts can tell wrong data from gaps', () => {
    const summary = summarizeReport(sampleReport());
    assert.deepEqual(summary.problems.map((p) => [p.kind, p.subject, p.severity]), [
      ['date_rows', 'no_source', 'incomplete'],
      ['date_rows', 'failed', 'incomplete'],
      ['duplicate_keys', '', 'wrong_data'],
      ['cross_table_mismatch', 'player_points_sum_match_team', 'wrong_data'],
    ]);
  });
});
