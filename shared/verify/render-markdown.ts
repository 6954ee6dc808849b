import { excludedText } from './render-text.js';
import { describeProblem } from './problems.js';
import { problemDetailLines } from './problem-lines.js';
import { formatBytes, formatCount, formatCoverage, formatDates, historyLine } from './render-format.js';
import type { VerificationReport } from './report-schema.js';

/** Markdown for handoff notes: a summary table, then each table's problems as bullets. */
export function renderMarkdown(report: VerificationReport): string {
  const { scope } = report;
  const lines = [
    `## Verification: ${scope.mode} ${scope.start}..${scope.end}${excludedText(scope.excludeDates)}`,
    '',
    `**${report.overall.line}**, overall **${report.overall.status}**. Generated ${report.generatedAt}` +
      `${report.options.tolerance > 0 ? `, tolerance ${report.options.tolerance}` : ''}; bytes processed: ${formatBytes(report.bytesProcessed)}.`,
    ...(report.history ? ['', escape(historyLine(report.history))] : []),
    '',
    '| table | rows | expected | dates | coverage | status |',
    '|---|---:|---:|---:|---:|---|',
    ...report.tables.map(
      (t) => `| \`${t.table}\` | ${formatCount(t.rows)} | ${formatCount(t.expectedRows)} | ${formatDates(t)} | ${formatCoverage(t)} | ${t.status} |`,
    ),
  ];
  for (const t of report.tables) {
    lines.push('', `### \`${t.table}\`: ${t.status}`, '', t.statusReason === 'every check passed' ? 'Every check passed.' : `${escape(t.statusReason)}.`);
    if (t.problems.length > 0) lines.push('');
    for (const problem of t.problems) {
      lines.push(`- ${escape(describeProblem(problem))}`);
      for (const detail of problemDetailLines(problem)) lines.push(`  - ${code(detail)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Details go in a code span, with the label outside it: `dates: ` `2021-11-01..2021-11-30`. */
function code(detail: string): string {
  const colon = detail.indexOf(': ');
  if (colon < 0) return escape(detail);
  const body = detail.slice(colon + 2).replaceAll('`', "'");
  return `${escape(detail.slice(0, colon))}: \`${body}\``;
}

function escape(text: string): string {
  return text.replace(/([\\*_|<>[\]])/g, '\\$1');
}
