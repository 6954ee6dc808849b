import type { IsoDate } from '../util/dates.js';
import type { DateRange } from './problems.js';

/**
 * Compress dates into ranges over a calendar of game dates, not calendar days: two problem dates are
 * in one range when no calendar date lies between them that is not a problem date. Dates missing from
 * the calendar are placed in it, so nothing is lost.
 */
export function compressDates(dates: readonly IsoDate[], calendar: readonly IsoDate[]): DateRange[] {
  const wanted = new Set(dates);
  const axis = [...new Set([...calendar, ...dates])].sort();
  const ranges: DateRange[] = [];
  let open: { start: IsoDate; end: IsoDate; dates: number } | null = null;
  for (const date of axis) {
    if (!wanted.has(date)) {
      open = null;
      continue;
    }
    if (open) {
      open.end = date;
      open.dates += 1;
    } else {
      open = { start: date, end: date, dates: 1 };
      ranges.push(open);
    }
  }
  return ranges;
}

export function formatRange(range: DateRange): string {
  return range.start === range.end ? range.start : `${range.start}..${range.end}`;
}

/** "2021-11-01..2021-11-30, 2021-12-03, ... and 4 more" (more ranges). */
export function formatRanges(ranges: readonly DateRange[], shown: number): string {
  return formatCapped(ranges.map(formatRange), shown);
}

/** A list of anything capped the same way. */
export function formatCapped(items: readonly string[], shown: number): string {
  const head = items.slice(0, shown);
  const more = items.length - head.length;
  return more > 0 ? `${head.join(', ')}, ... and ${more} more` : head.join(', ');
}
