import { VERIFY_LIMITS } from './limits.js';
import { z } from 'zod';
import { ANALYTICS_TABLES, RUN_MODES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import { PermanentError } from '../errors/errors.js';
import { IsoDateSchema } from './problems.js';
import { LIMITS } from '../config/defaults.js';
import { excludedDateProblems } from '../planning/backfill-request.js';

/** What to verify: the same shape the CLI and the status endpoint take. */
export const VerificationScopeSchema = z
  .object({
    tables: z.union([z.literal('all'), z.array(z.enum(ANALYTICS_TABLES)).min(1, 'name at least one table, or "all"')]),
    start: IsoDateSchema,
    end: IsoDateSchema,
    mode: z.enum(RUN_MODES).default('production'),
    /** Dates the scope leaves out: listed as `excluded`, neither required nor hidden. */
    excludeDates: z.array(IsoDateSchema).max(LIMITS.maxExcludedDates, `at most ${LIMITS.maxExcludedDates} excluded dates; narrow the range instead`).default([]),
  })
  .strict()
  .refine((s) => s.start <= s.end, { path: ['end'], message: 'end is before start' })
  .superRefine((s, ctx) => {
    for (const problem of excludedDateProblems(s.start, s.end, s.excludeDates)) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });

export type VerificationScopeInput = z.input<typeof VerificationScopeSchema>;

export interface VerificationScope {
  readonly tables: readonly AnalyticsTableName[];
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly mode: RunMode;
  /** Sorted, unique, within [start, end]. */
  readonly excludeDates: readonly IsoDate[];
}

export const VerificationOptionsSchema = z
  .object({
    /** Fraction of a date's expected rows it may miss or exceed and still count as complete; 0 = exact. */
    tolerance: z.number().min(0).max(1).default(0),
    /** Dates per context table the leakage guard rebuilds and compares (0: none). */
    leakageSampleDates: z.number().int().min(0).max(VERIFY_LIMITS.maxLeakageSampleDates).default(VERIFY_LIMITS.leakageSampleDates),
  })
  .strict();

export class InvalidVerificationScopeError extends PermanentError {
  override readonly name = 'InvalidVerificationScopeError';
  constructor(readonly problems: string[], options?: { cause?: unknown }) {
    super(problems.join('; '), options);
  }
}

function issues(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
}

/** Parse and normalise: 'all' expands, tables come out in dependency order without repeats. */
export function parseVerificationScope(input: unknown): VerificationScope {
  const parsed = VerificationScopeSchema.safeParse(input);
  if (!parsed.success) throw new InvalidVerificationScopeError(issues(parsed.error), { cause: parsed.error });
  const wanted = parsed.data.tables === 'all' ? ANALYTICS_TABLES : parsed.data.tables;
  return {
    tables: ANALYTICS_TABLES.filter((t) => wanted.includes(t)),
    start: parsed.data.start,
    end: parsed.data.end,
    mode: parsed.data.mode,
    excludeDates: [...new Set(parsed.data.excludeDates)].sort(),
  };
}

export type VerificationOptionsInput = z.input<typeof VerificationOptionsSchema>;

export function parseVerificationOptions(input: unknown): { tolerance: number; leakageSampleDates: number } {
  const parsed = VerificationOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) throw new InvalidVerificationScopeError(issues(parsed.error), { cause: parsed.error });
  return parsed.data;
}
