import Table from 'cli-table3';
import { describeProblem } from './problems.js';
import { problemDetailLines } from './problem-lines.js';
import { formatBytes, formatCount, formatCoverage, formatDates, historyLine } from './render-format.js';
import type { VerificationReport } from './report-schema.js';

/** Plain text for a terminal or `curl`: the table, the overall line, then each table's problems. No colour. */
export function renderText(report: VerificationReport): string {
  const { scope } = report;
  const table = new Table({
    head: ['table', 'rows', 'expected', 'dates', 'coverage', 'status'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [] },
    // One rule under the header, none between rows: compact in a terminal and in curl output.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const t of report.tables) {
    table.push([t.table, formatCount(t.rows), formatCount(t.expectedRows), formatDates(t), formatCoverage(t), t.status]);
  }
  const lines = [
    `Verification of ${scope.mode} ${scope.start}..${scope.end}${excludedText(scope.excludeDates)} at ${report.generatedAt}` +
      (report.options.tolerance > 0 ? ` (tolerance ${report.options.tolerance})` : ''),
    table.toString(),
    `${report.overall.line}; overall ${report.overall.status}; bytes processed: ${formatBytes(report.bytesProcessed)}`,
    ...(report.history ? [historyLine(report.history)] : []),
  ];
  for (const t of report.tables) {
    if (t.problems.length === 0) continue;
    lines.push('', `${t.table} (${t.dataset}): ${t.status}`);
    for (const problem of t.problems) {
      lines.push(`  - ${describeProblem(problem)}`);
      for (const detail of problemDetailLines(problem)) lines.push(`      ${detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** ` excluding 2021-11-15` (the first few, then how many more). */
export function excludedText(dates: readonly string[]): string {
  if (dates.length === 0) return '';
  const shown = dates.slice(0, 3).join(', ');
  return ` excluding ${shown}${dates.length > 3 ? ` and ${dates.length - 3} more` : ''}`;
}
