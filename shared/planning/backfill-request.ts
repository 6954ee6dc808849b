import { z } from 'zod';
import { ANALYTICS_TABLES, RUN_MODES, isAnalyticsTable, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import { isIsoDate, diffDays, type IsoDate } from '../util/dates.js';
import { LIMITS } from '../config/defaults.js';

/** What a bad value was, for messages: never the whole of a huge input. */
function described(input: unknown): string {
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

const TABLES_HINT = `"all" or a list of table names (${ANALYTICS_TABLES.join(', ')})`;

/**
 * `"all"` or a non-empty list of analytics tables. Checked by hand rather than as a union of an enum
 * list and a literal, whose error is only "Invalid input": a person needs to read which name is wrong.
 */
const tablesField = z
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

const modeField = z.enum(RUN_MODES, { error: (issue) => `must be one of ${RUN_MODES.join(', ')}, got ${described(issue.input)}` });

/**
 * What is wrong with a date range, by the service's limits: end before start, a start before the
 * earliest date the warehouse holds, a range longer than the limit. Shared by every request that
 * names a range (backfills, verification), so they agree.
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
 * What a run redoes besides what the warehouse lacks (missing, short, in excess, or stale partitions, always
 * redone): `failed` also its chunks that ended failed, dead or no_source (Airflow's "reprocess failed tasks"),
 * `all` every chunk of its scope (a full refresh, like dbt's --full-refresh), in dependency order.
 */
export const REPROCESS_MODES = ['none', 'failed', 'all'] as const;
export type ReprocessMode = (typeof REPROCESS_MODES)[number];

/**
 * What is wrong with the dates a request excludes from its range: an excluded date outside the range excludes
 * nothing (a typo, or the wrong range), so it is refused rather than ignored. Shared by backfills and
 * verification scopes, so both refuse the same mistakes.
 */
export function excludedDateProblems(start: IsoDate, end: IsoDate, excludeDates: readonly string[]): Array<{ field: 'excludeDates'; message: string }> {
  const outside = [...new Set(excludeDates)].filter((d) => isIsoDate(d) && (d < start || d > end)).sort();
  if (outside.length === 0) return [];
  const shown = outside.slice(0, 5).join(', ');
  const more = outside.length > 5 ? ` and ${outside.length - 5} more` : '';
  return [{ field: 'excludeDates', message: `${shown}${more} ${outside.length === 1 ? 'is' : 'are'} outside ${start}..${end}: exclude only dates of the range` }];
}

/**
 * What a person asks for: the same shape from the CLI's `run`, `POST /backfills` and reconcile's
 * coverage targets. Validated here, once, for every entry point.
 */
const FIELDS = ['tables', 'start', 'end', 'excludeDates', 'mode', 'reprocess'] as const;

export const BackfillRequestSchema = z
  .strictObject(
    {
      tables: tablesField,
      start: isoDateField,
      end: isoDateField,
      excludeDates: z
        .array(isoDateField, { error: (issue) => `must be a list of dates written YYYY-MM-DD, got ${described(issue.input)}` })
        .max(LIMITS.maxExcludedDates, `at most ${LIMITS.maxExcludedDates} excluded dates; narrow the range instead`)
        .default([]),
      mode: modeField.default('production'),
      reprocess: z.enum(REPROCESS_MODES, { error: (issue) => `must be one of ${REPROCESS_MODES.join(', ')}, got ${described(issue.input)}` }).default('none'),
    },
    {
      error: (issue) => {
        if (issue.code === 'unrecognized_keys') {
          const keys = issue.keys.slice(0, 5).map((k) => JSON.stringify(k)).join(', ');
          return `unknown field${issue.keys.length === 1 ? '' : 's'} ${keys}; known: ${FIELDS.join(', ')}`;
        }
        return `must be a JSON object like {"tables":"all","start":"2021-11-01","end":"2021-11-30"}, got ${described(issue.input)}`;
      },
    },
  )
  .superRefine((req, ctx) => {
    // A date that failed its own check has been reported already: comparing it would only add noise.
    if (!isIsoDate(req.start) || !isIsoDate(req.end)) return;
    for (const problem of dateRangeProblems(req.start, req.end)) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
    for (const problem of excludedDateProblems(req.start, req.end, req.excludeDates)) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });

export type BackfillRequestInput = z.input<typeof BackfillRequestSchema>;

export interface BackfillRequest {
  readonly tables: readonly AnalyticsTableName[];
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly excludeDates: readonly IsoDate[];
  readonly mode: RunMode;
  readonly reprocess: ReprocessMode;
}

/** A message never lists more problems than this: a list of 5,000 bad dates is one mistake. */
export const MAX_PROBLEMS_SHOWN = 10;

/** Zod issues as `field: message` lines, at most MAX_PROBLEMS_SHOWN of them. */
export function problemLines(error: z.ZodError, root?: string): string[] {
  const where = (path: readonly PropertyKey[]) => (path.length ? path.join('.') : root);
  const lines = [...new Set(error.issues.map((i) => (where(i.path) ? `${where(i.path)}: ${i.message}` : i.message)))];
  if (lines.length <= MAX_PROBLEMS_SHOWN) return lines;
  return [...lines.slice(0, MAX_PROBLEMS_SHOWN), `... and ${lines.length - MAX_PROBLEMS_SHOWN} more problems`];
}

export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  constructor(readonly problems: string[], options?: { cause?: unknown }) {
    super(problems.join('; '), options);
  }
}

/** Parse and normalise: 'all' expands, tables come out in dependency order, excluded dates sorted and unique. */
export function parseBackfillRequest(input: unknown): BackfillRequest {
  const parsed = BackfillRequestSchema.safeParse(input);
  if (!parsed.success) throw new InvalidRequestError(problemLines(parsed.error), { cause: parsed.error });
  const req = parsed.data;
  const wanted: readonly string[] = req.tables === 'all' ? ANALYTICS_TABLES : req.tables;
  return {
    tables: ANALYTICS_TABLES.filter((t) => wanted.includes(t)),
    start: req.start,
    end: req.end,
    excludeDates: [...new Set(req.excludeDates)].sort(),
    mode: req.mode,
    reprocess: req.reprocess,
  };
}

/** What verifying a run means: its tables over its range, without the dates it excluded (they are listed as excluded). */
export function scopeOfRequest(request: BackfillRequest): { tables: readonly AnalyticsTableName[]; start: IsoDate; end: IsoDate; mode: RunMode; excludeDates: readonly IsoDate[] } {
  return { tables: request.tables, start: request.start, end: request.end, mode: request.mode, excludeDates: request.excludeDates };
}
