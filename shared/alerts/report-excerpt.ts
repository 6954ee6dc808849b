import { problemDetailLines } from '../verify/problem-lines.js';
import { describeProblem } from '../verify/problems.js';
import type { VerificationReport } from '../verify/report-schema.js';
import { problemFingerprint } from '../verify/verification-summary.js';
import type { AnalyticsTableName } from '../tables/names.js';
import { ALERT_DEFAULTS } from './alert-defaults.js';

export interface ExcerptLimits {
  readonly chars: number;
  readonly detailLines: number;
  readonly itemsShown: number;
}

const DEFAULT_LIMITS: ExcerptLimits = {
  chars: ALERT_DEFAULTS.excerptChars,
  detailLines: ALERT_DEFAULTS.excerptDetailLines,
  itemsShown: ALERT_DEFAULTS.excerptItemsShown,
};

/**
 * A few plain-text lines of the report about one problem, for an alert: the table, what is wrong and
 * where (dates, keys or mismatches, capped), and the verification's overall line. When the report no
 * longer has the problem (a resolved alert), the table's status instead.
 */
export function reportExcerpt(
  report: VerificationReport,
  problem: { readonly table: AnalyticsTableName; readonly fingerprint: string },
  limits: ExcerptLimits = DEFAULT_LIMITS,
): string {
  const { mode, start, end } = report.scope;
  const table = report.tables.find((t) => t.table === problem.table);
  const found = table?.problems.find((p) => problemFingerprint(mode, problem.table, p) === problem.fingerprint);
  const lines: string[] = [];
  if (table && found) {
    lines.push(`${table.table} (${table.dataset}) ${table.status}: ${describeProblem(found)}`);
    const details = problemDetailLines(found, { rangesShown: limits.itemsShown, keysShown: limits.itemsShown });
    for (const detail of details.slice(0, limits.detailLines)) lines.push(`  ${detail}`);
  } else if (table) {
    lines.push(`${table.table} (${table.dataset}) ${table.status}: ${table.statusReason}`);
  } else {
    lines.push(`${problem.table}: not in this verification`);
  }
  lines.push(`verification of ${mode} ${start}..${end} at ${report.generatedAt}: ${report.overall.line}, overall ${report.overall.status}`);
  return cap(lines.join('\n'), limits.chars);
}

function cap(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, Math.max(0, chars - 1))}…`;
}
