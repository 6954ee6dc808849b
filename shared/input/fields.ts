import { z } from 'zod';
import { ANALYTICS_TABLES, RUN_MODES, isAnalyticsTable, type AnalyticsTableName } from '../tables/names.js';
import { isIsoDate, diffDays, type IsoDate } from '../util/dates.js';
import { LIMITS } from '../config/defaults.js';

/**
 * The fields every request and scope is made of, and the rules on a date range, written once: a backfill
 * request (API body, CLI flags), a verification scope (GET /verify, the status page, verify()) and the
 * configuration's coverage exclusions all read them here, so they accept and refuse the same values and say
 * so in the same words.
 */

/** What a bad value was, for messages: never the whole of a huge input. */
export function described(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'string') return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}...` : input);
  return `a ${typeof input}`;
}

const DATE_HINT = 'a real calendar date written YYYY-MM-DD';

/** A date field: says whether it is missing, of the wrong type, or not a real date. */
export const isoDateField = z
  .string({ error: (issue) => (issue.input === undefined ? `missing: give ${DATE_HINT}` : `must be ${DATE_HINT}, got ${described(issue.input)}`) })
  .refine(isIsoDate, { error: (issue) => `must be ${DATE_HINT}, got ${described(issue.input)}` });

/** One of a fixed list, naming the list and what was given. */
export function enumField<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (issue) => `must be one of ${values.join(', ')}, got ${described(issue.input)}` });
}

export const modeField = enumField(RUN_MODES);

const TABLES_HINT = `"all" or a list of table names (${ANALYTICS_TABLES.join(', ')})`;

/**
 * `"all"` or a non-empty list of analytics tables. Checked by hand rather than as a union of an enum
 * list and a literal, whose error is only "Invalid input": a person needs to read which name is wrong.
 */
export const tablesField = z
  .union([z.literal('all'), z.array(z.string()).min(1, `name at least one table, or "all"`)], {
    error: (issue) => (issue.input === undefined ? `missing: give ${TABLES_HINT}` : `must be ${TABLES_HINT}, got ${described(issue.input)}`),
  })
  .superRefine((tables, ctx) => {
    if (tables === 'all') return;
    const unknown = [...new Set(tables.filter((t) => !isAnalyticsTable(t)))];
    if (unknown.length === 0) return;
    const shown = unknown.slice(0, 5).map((t) => described(t)).join(', ');
    const more = unknown.length > 5 ? ` and ${unknown.length - 5} more` : '';
    ctx.addIssue({ code: 'custom', message: `unknown table${unknown.length === 1 ? '' : 's'} ${shown}${more}; known: all, ${ANALYTICS_TABLES.join(', ')}` });
  });

/** Dates left out of a range: real dates, at most LIMITS.maxExcludedDates of them. */
export const excludeDatesField = z
  .array(isoDateField, { error: (issue) => `must be a list of dates written YYYY-MM-DD, got ${described(issue.input)}` })
  .max(LIMITS.maxExcludedDates, `at most ${LIMITS.maxExcludedDates} excluded dates; narrow the range instead`);

/**
 * A comma-separated list as text (`--tables a,b`, `?tables=a,b`, `?exclude=D,D`): `all` stays `all`, blanks
 * between commas are dropped. What the list holds is checked by the field it is piped to.
 */
export function listText(value: string): 'all' | string[] {
  if (value.trim() === 'all') return 'all';
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * What is wrong with a date range, by the service's limits: end before start, a start before the earliest
 * date the warehouse holds, a range longer than the limit. Without an end (a scope through yesterday) only
 * the start is checked.
 */
export function dateRangeProblems(start: IsoDate, end: IsoDate | undefined): Array<{ field: 'start' | 'end'; message: string }> {
  const problems: Array<{ field: 'start' | 'end'; message: string }> = [];
  if (start < LIMITS.earliestDate) {
    problems.push({ field: 'start', message: `start ${start} is before ${LIMITS.earliestDate}, the earliest date this warehouse holds` });
  }
  if (end === undefined) return problems;
  if (end < start) {
    problems.push({ field: 'end', message: `end ${end} is before start ${start}` });
    return problems;
  }
  const days = diffDays(end, start) + 1;
  if (days > LIMITS.maxRangeDays) {
    problems.push({ field: 'end', message: `range of ${days} days is longer than the limit of ${LIMITS.maxRangeDays}; split it into several requests` });
  }
  return problems;
}

/**
 * What is wrong with the dates a range excludes: an excluded date outside the range excludes nothing (a typo,
 * or the wrong range), so it is refused rather than ignored. Without an end, dates before the start only.
 */
export function excludedDateProblems(start: IsoDate, end: IsoDate | undefined, excludeDates: readonly string[]): Array<{ field: 'excludeDates'; message: string }> {
  const outside = [...new Set(excludeDates)].filter((d) => isIsoDate(d) && (d < start || (end !== undefined && d > end))).sort();
  if (outside.length === 0) return [];
  const shown = outside.slice(0, 5).join(', ');
  const more = outside.length > 5 ? ` and ${outside.length - 5} more` : '';
  return [{ field: 'excludeDates', message: `${shown}${more} ${outside.length === 1 ? 'is' : 'are'} outside ${start}..${end ?? ''}: exclude only dates of the range` }];
}

/**
 * The range rules as a zod refinement, for any object with `start`, optional `end` and `excludeDates`. A
 * date that failed its own check has been reported already: comparing it would only add noise.
 */
export function checkRange(value: { start: string; end?: string | undefined; excludeDates: readonly string[] }, ctx: z.RefinementCtx): void {
  if (!isIsoDate(value.start) || (value.end !== undefined && !isIsoDate(value.end))) return;
  for (const problem of [...dateRangeProblems(value.start, value.end), ...excludedDateProblems(value.start, value.end, value.excludeDates)]) {
    ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  }
}

/** `all` or a list of (valid) table names as the tables they name, in dependency order, each once. */
export function tablesInOrder(tables: 'all' | readonly string[]): AnalyticsTableName[] {
  return tables === 'all' ? [...ANALYTICS_TABLES] : ANALYTICS_TABLES.filter((t) => tables.includes(t));
}

/** Excluded dates as a scope keeps them: ascending, each once. */
export function sortedDates(dates: readonly IsoDate[]): IsoDate[] {
  return [...new Set(dates)].sort();
}

/**
 * The error of a strict object: an unknown key names the known ones (`parameter` in a query string, `field`
 * in JSON); anything else that is not an object says what one looks like.
 */
export function strictObjectError(known: readonly string[], options: { readonly noun?: 'field' | 'parameter'; readonly like?: string } = {}) {
  const noun = options.noun ?? 'field';
  return (issue: { code?: string | undefined; keys?: readonly string[] | undefined; input?: unknown }): string | undefined => {
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      const keys = issue.keys.slice(0, 5).map((k) => (noun === 'field' ? JSON.stringify(k) : k)).join(', ');
      return `unknown ${noun}${issue.keys.length === 1 ? '' : 's'} ${keys}; known: ${known.join(', ')}`;
    }
    return options.like ? `must be a JSON object like ${options.like}, got ${described(issue.input)}` : undefined;
  };
}

/** The example every request and scope message shows. */
export const SCOPE_EXAMPLE = '{"tables":"all","start":"2021-11-01","end":"2021-11-30"}';
