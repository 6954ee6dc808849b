import type { HistoryView, TableReport } from './report-schema.js';

/** Thousands separated the same way on every machine. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatCoverage(table: Pick<TableReport, 'coveragePct'>): string {
  return table.coveragePct === null ? 'n/a' : `${table.coveragePct.toFixed(1)}%`;
}

/**
 * Complete game dates over every date the schedule says must hold rows (source-short dates included), and the
 * dates the scope excludes apart: `1,645/1,645 (+1 excluded)`.
 */
export function formatDates(table: Pick<TableReport, 'completeDates' | 'expectedDates' | 'sourceShortDates' | 'excludedDates'>): string {
  const excluded = table.excludedDates > 0 ? ` (+${formatCount(table.excludedDates)} excluded)` : '';
  return `${formatCount(table.completeDates)}/${formatCount(table.expectedDates + table.sourceShortDates)}${excluded}`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'not reported';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** "Last passed 2026-11-28T06:00:00.000Z; last verified ... (history of production:2016-10-01..)". */
export function historyLine(history: HistoryView): string {
  if (history.lastVerifiedAt === null) return `Never verified before in this scope (history of ${history.scopeKey})`;
  const passed = history.lastPassedAt === null ? 'Never passed' : `Last passed ${history.lastPassedAt}`;
  return `${passed}; last verified ${history.lastVerifiedAt} (history of ${history.scopeKey})`;
}
