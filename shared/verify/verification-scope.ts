import { VERIFY_LIMITS } from './limits.js';
import { z } from 'zod';
import { ANALYTICS_TABLES, RUN_MODES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import { PermanentError } from '../errors/errors.js';
import { IsoDateSchema } from './problems.js';

/** What to verify: the same shape the CLI and the status endpoint take. */
export const VerificationScopeSchema = z
  .object({
    tables: z.union([z.literal('all'), z.array(z.enum(ANALYTICS_TABLES)).min(1, 'name at least one table, or "all"')]),
    start: IsoDateSchema,
    end: IsoDateSchema,
    mode: z.enum(RUN_MODES).default('production'),
  })
  .strict()
  .refine((s) => s.start <= s.end, { path: ['end'], message: 'end is before start' });

export type VerificationScopeInput = z.input<typeof VerificationScopeSchema>;

export interface VerificationScope {
  readonly tables: readonly AnalyticsTableName[];
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly mode: RunMode;
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
  return { tables: ANALYTICS_TABLES.filter((t) => wanted.includes(t)), start: parsed.data.start, end: parsed.data.end, mode: parsed.data.mode };
}

export type VerificationOptionsInput = z.input<typeof VerificationOptionsSchema>;

export function parseVerificationOptions(input: unknown): { tolerance: number; leakageSampleDates: number } {
  const parsed = VerificationOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) throw new InvalidVerificationScopeError(issues(parsed.error), { cause: parsed.error });
  return parsed.data;
}
