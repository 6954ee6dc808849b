import { formatCapped, formatRanges } from './date-ranges.js';
import { VERIFY_LIMITS } from './limits.js';
import type { DateDetail, Key, Problem } from './problems.js';
import { describeStaleCause } from '../lineage/stale-cause.js';
import { dateRanges } from '../util/dates.js';
import { appendTo } from '../util/group.js';

/** A key as its values in key order: `0022100001/lebronjames`; NULL parts print as NULL. */
export function formatKey(key: Key): string {
  return Object.values(key).map((v) => v ?? 'NULL').join('/');
}

const value = (v: number | null) => (v === null ? 'NULL' : String(v));

/** Detail lines under a problem's description, plain text, shared by the text and markdown renderers. */
export function problemDetailLines(
  problem: Problem,
  limits: { readonly rangesShown: number; readonly keysShown: number } = VERIFY_LIMITS,
): string[] {
  switch (problem.kind) {
    case 'date_rows': {
      const lines = [`dates: ${formatRanges(problem.ranges, limits.rangesShown)}`];
      const errors = new Map<string, string>();
      for (const d of problem.dates) {
        if (d.chunk?.lastError && !errors.has(d.chunk.lastError)) errors.set(d.chunk.lastError, d.date);
      }
      for (const [error, date] of [...errors].slice(0, 3)) lines.push(`last error (${date}): ${error}`);
      if (problem.reason === 'stale') lines.push(...staleLines(problem.dates, limits.rangesShown));
      return lines;
    }
    case 'unexpected_rows':
    case 'wrong_run_mode':
      return [`dates: ${formatRanges(problem.ranges, limits.rangesShown)}`];
    case 'duplicate_keys':
    case 'null_critical':
    case 'unknown_game':
      return [`keys: ${capped(problem.sample.map(formatKey), totalOf(problem), limits.keysShown)}`];
    case 'team_not_in_game':
      return [
        `keys: ${capped(
          problem.sample.map((s) => `${formatKey(s.key)} (${s.column}=${s.value ?? 'NULL'}, game is ${s.awayTeam ?? '?'} at ${s.homeTeam ?? '?'})`),
          problem.rows,
          limits.keysShown,
        )}`,
      ];
    case 'leakage':
      return problem.dates.map((d) => `${d.date}: ${d.differingRows} row${d.differingRows === 1 ? '' : 's'} differ in ${d.columns.join(', ')}; keys: ${capped(d.sample.map(formatKey), d.differingRows, limits.keysShown)}`);
    case 'cross_table_mismatch':
      return [
        `mismatches: ${capped(
          problem.listed.map((m) => `${formatKey(m.key)} ${value(m.actual)} (expected ${value(m.expected)})`),
          problem.mismatches,
          limits.keysShown,
        )}`,
        ...(problem.listed[0] ? [`expected values from ${problem.listed[0].expectedFrom}`] : []),
      ];
  }
}

function totalOf(problem: Extract<Problem, { kind: 'duplicate_keys' | 'null_critical' | 'unknown_game' }>): number {
  return problem.kind === 'duplicate_keys' ? problem.keys : problem.rows;
}

/** Shows up to `shown` items; "... and N more" counts the whole, not only the sample. */
function capped(items: readonly string[], total: number, shown: number): string {
  const head = items.slice(0, shown);
  const more = Math.max(total, items.length) - head.length;
  return more > 0 ? `${head.join(', ')}, ... and ${more} more` : formatCapped(head, shown);
}

/** Stale dates grouped by why: `nbac_team_boxscore changed: 2018-04-20`, most dates first. */
function staleLines(dates: readonly DateDetail[], rangesShown: number): string[] {
  const byCause = new Map<string, string[]>();
  for (const d of dates) {
    for (const cause of d.stale ?? []) {
      // Upstream causes name their first date and count per stale date: group on the input and kind only.
      const key = cause.cause === 'input_incomplete' || cause.cause === 'input_stale'
        ? `${cause.input} ${cause.cause === 'input_stale' ? 'stale' : 'missing or short'} on earlier dates (first ${cause.firstDate})`
        : describeStaleCause(cause);
      appendTo(byCause, key, d.date);
    }
  }
  return [...byCause]
    .sort((a, b) => b[1].length - a[1].length)
    .slice(0, 5)
    .map(([why, list]) => `${why}: ${formatCapped(dateRanges(list).map((r) => (r.start === r.end ? r.start : `${r.start}..${r.end}`)), rangesShown)}`);
}
