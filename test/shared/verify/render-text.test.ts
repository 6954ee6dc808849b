import assert from 'node:assert/strict';
import { renderText } from '../../../shared/verify/render-text.js';
import { sampleReport } from './report-fixture.js';

describe('renderText', () => {
  const text = renderText(sampleReport());

  it('prints one table row per verified table with rows, expected, complete dates, coverage and status', () => {
    assert.match(text, /team_offense_game_summary\s*│\s*2,460\s*│\s*2,460\s*│\s*160\/160\s*│\s*100\.0%\s*│\s*COMPLETE/);
    // Source-short dates count among the dates that must hold rows: 80 of 120 + 40.
    assert.match(text, /player_game_summary\s*│\s*100\s*│\s*120\s*│\s*80\/160\s*│\s*50\.0%\s*│\s*FAILED/);
  });

  it('prints the overall line', () => {
    assert.match(text, /^1\/2 tables complete \(50%\); overall FAILED; bytes processed: 2\.0 KiB$/m);
  });

  it('lists problems with dates compressed into ranges and the chunk error', () => {
    assert.match(text, /40 dates with short raw data \(no_source\)\n\s+dates: 2021-11-01\.\.2021-11-30, 2021-12-01\.\.2021-12-10/);
    assert.match(text, /last error \(2022-01-05\): TransientError: timeout/);
    assert.match(text, /0022100001\/LAL 104 \(expected 106\)/);
  });

  it('caps a long list of ranges with "... and N more"', async () => {
    const { problemDetailLines } = await import('../../../shared/verify/problem-lines.js');
    const report = sampleReport();
    const problem = report.tables[1]?.problems[0];
    assert.ok(problem);
    const lines = problemDetailLines(problem, { rangesShown: 1, keysShown: 5 });
    assert.equal(lines[0], 'dates: 2021-11-01..2021-11-30, ... and 1 more');
  });

  it('prints no colour codes', () => {
    assert.ok(!text.includes('\u001b['), 'no ANSI escape');
  });

  it('says nothing under a table without problems', () => {
    assert.doesNotMatch(text, /team_offense_game_summary \(nba_analytics\)/);
  });
});
