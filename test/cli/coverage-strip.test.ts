import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { coverageStrips } from '../../cli/coverage-strip.js';
import { writeReport } from '../../cli/verification.js';
import { STATE_STYLES } from '../../shared/page/cell-states.js';
import type { VerificationReport } from '../../shared/verify/report-schema.js';
import { sampleReport, tableReport } from '../shared/verify/report-fixture.js';

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');
const written = (stream: PassThrough) => String((stream.read() as Buffer | null) ?? '');

function reportWith(dates: string[], failed: string): VerificationReport {
  const table = tableReport({
    table: 'team_offense_game_summary',
    completeDates: dates.length,
    completeDateList: dates.map((date) => ({ date, expectedRows: 2, rows: 2 })),
    problems: [{ kind: 'date_rows', reason: 'failed', expectedRows: 2, rows: 0, ranges: [], dates: [{ date: failed, expectedRows: 2, rows: 0, sourceShortGames: 0, testRows: 0, chunk: { state: 'failed', attempts: 1, lastError: 'x' } }] }],
  });
  return { ...sampleReport(), tables: [table] };
}

describe('verify on a terminal: coverage strips', () => {
  const dates = ['2021-10-19', '2021-10-20', '2021-10-22', '2022-10-18', '2022-10-19'];
  const report = reportWith(dates, '2021-10-21');

  it('draws one line per season, one character a date in the state colours, and the dates per state in words', () => {
    const text = coverageStrips(report, 100);
    const lines = plain(text).split('\n');
    assert.ok(lines.includes('  2021-22  ████'), lines.join('\n'));
    assert.ok(lines.includes('  2022-23  ██'), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('complete 5') && l.includes('failed 1')));
    assert.ok(text.includes(`\u001b[38;2;213;94;0m█`), `the failed date in ${STATE_STYLES.failed.colour}`);
  });

  it('folds dates into characters on a narrow terminal, keeping the season rows', () => {
    const many = Array.from({ length: 60 }, (_, i) => `2021-11-${String((i % 30) + 1).padStart(2, '0')}`).slice(0, 30);
    const lines = plain(coverageStrips(reportWith(many, '2021-12-01'), 27)).split('\n');
    assert.match(lines[0] ?? '', /one character per 2 dates/);
    assert.ok(lines.includes(`  2021-22  ${'█'.repeat(16)}`), lines.join('\n'));
  });

  it('is printed only for the text format on a TTY', () => {
    const piped = new PassThrough();
    writeReport(piped, 'report\n', report, 'text');
    assert.equal(written(piped), 'report\n');
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    writeReport(tty, 'report\n', report, 'text');
    assert.match(plain(written(tty)), /^report\n\nCoverage by game date/);
    const json = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    writeReport(json, '{}\n', report, 'json');
    assert.equal(written(json), '{}\n');
  });
});
