// One module per function: the package root loads all of date-fns (hundreds of modules), a cost every
// process start (the CLI, a function's cold start) would pay for six functions.
import { addDays } from 'date-fns/addDays';
import { differenceInCalendarDays } from 'date-fns/differenceInCalendarDays';
import { eachDayOfInterval } from 'date-fns/eachDayOfInterval';
import { format } from 'date-fns/format';
import { isValid } from 'date-fns/isValid';
import { parseISO } from 'date-fns/parseISO';
import { UTCDate } from '@date-fns/utc';

/** A calendar date as 'YYYY-MM-DD'. Game dates are local dates of the game; no time zone applies. */
export type IsoDate = string;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Dates already found valid. A run checks the same few thousand dates again and again (every message, every
 * write), and the check below costs about 35 µs: 0.3 s of a local backfill's main thread went to it. Bounded,
 * so a process fed endless distinct dates does not grow without end.
 */
const KNOWN_VALID = new Set<string>();
const KNOWN_VALID_MAX = 100_000;

export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  if (KNOWN_VALID.has(value)) return true;
  if (!ISO_DATE.test(value)) return false;
  const parsed = new UTCDate(parseISO(value));
  const valid = isValid(parsed) && toIsoDate(parsed) === value;
  if (valid) {
    if (KNOWN_VALID.size >= KNOWN_VALID_MAX) KNOWN_VALID.clear();
    KNOWN_VALID.add(value);
  }
  return valid;
}

function toUtc(date: IsoDate): UTCDate {
  return new UTCDate(`${date}T00:00:00Z`);
}

export function toIsoDate(date: Date): IsoDate {
  return format(new UTCDate(date), 'yyyy-MM-dd');
}

/**
 * Shifted dates already computed. Reconcile asks for the day before every chunk's date on every pass (which
 * dates a chunk reads), and lineage for every target's window: 8,257 calls in a local backfill of the seed range
 * (counted), about 6 µs each through date-fns, over a few thousand distinct shifts; reconcile's readiness took 134 ms
 * of the run's main thread before, 64 ms after. Bounded, as above.
 */
const SHIFTED = new Map<string, IsoDate>();

export function addDaysIso(date: IsoDate, days: number): IsoDate {
  const key = `${date}|${days}`;
  const known = SHIFTED.get(key);
  if (known !== undefined) return known;
  const shifted = toIsoDate(addDays(toUtc(date), days));
  if (SHIFTED.size >= KNOWN_VALID_MAX) SHIFTED.clear();
  SHIFTED.set(key, shifted);
  return shifted;
}

export function diffDays(to: IsoDate, from: IsoDate): number {
  return differenceInCalendarDays(toUtc(to), toUtc(from));
}

export function eachDate(start: IsoDate, end: IsoDate): IsoDate[] {
  if (end < start) return [];
  return eachDayOfInterval({ start: toUtc(start), end: toUtc(end) }).map(toIsoDate);
}

/**
 * The day before `nowMs` (epoch ms) in UTC: the last game date that can be final, where a scope or a coverage
 * target left open ends. The one definition.
 */
export function yesterdayOf(nowMs: number): IsoDate {
  return addDaysIso(toIsoDate(new Date(nowMs)), -1);
}

/** Compress sorted dates into ranges: ['2020-01-01', '2020-01-02', '2020-01-05'] -> '2020-01-01..2020-01-02, 2020-01-05'. */
export function dateRanges(dates: readonly IsoDate[]): Array<{ start: IsoDate; end: IsoDate; days: number }> {
  const sorted = [...new Set(dates)].sort();
  const ranges: Array<{ start: IsoDate; end: IsoDate; days: number }> = [];
  for (const date of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && addDaysIso(last.end, 1) === date) {
      last.end = date;
      last.days += 1;
    } else {
      ranges.push({ start: date, end: date, days: 1 });
    }
  }
  return ranges;
}

export function formatDateRanges(dates: readonly IsoDate[]): string {
  return dateRanges(dates).map((r) => (r.start === r.end ? r.start : `${r.start}..${r.end}`)).join(', ');
}
