import { VERIFY_LIMITS } from './limits.js';
import { z } from 'zod';
import type { AnalyticsTableName, RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import { SCOPE_EXAMPLE, checkRange, excludeDatesField, strictObjectError, isoDateField, modeField, sortedDates, tablesField, tablesInOrder } from '../input/fields.js';
import { parseInput, type ProblemLineOptions } from '../input/invalid-input.js';

/** What to verify: the same fields and range rules as a backfill request (shared/input/fields.ts). */
export interface VerificationScope {
  readonly tables: readonly AnalyticsTableName[];
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly mode: RunMode;
  /** Sorted, unique, within [start, end]: listed as `excluded`, neither required nor hidden. */
  readonly excludeDates: readonly IsoDate[];
}

/** A scope whose end may be left open: through yesterday, resolved when it is verified (runVerification). */
export type OpenVerificationScope = Omit<VerificationScope, 'end'> & { readonly end?: IsoDate | undefined };

const FIELDS = ['tables', 'start', 'end', 'mode', 'excludeDates'] as const;

export const VerificationScopeSchema = z
  .strictObject(
    { tables: tablesField, start: isoDateField, end: isoDateField, mode: modeField.default('production'), excludeDates: excludeDatesField.default([]) },
    { error: strictObjectError(FIELDS, { like: SCOPE_EXAMPLE }) },
  )
  .superRefine(checkRange)
  .transform((s): VerificationScope => ({ ...s, tables: tablesInOrder(s.tables), excludeDates: sortedDates(s.excludeDates) }));
export type VerificationScopeInput = z.input<typeof VerificationScopeSchema>;

/** Parse and normalise: 'all' expands, tables come out in dependency order without repeats. */
export function parseVerificationScope(input: unknown, options?: ProblemLineOptions): VerificationScope {
  return parseInput(VerificationScopeSchema, input, 'verification scope', options);
}

export const VerificationOptionsSchema = z
  .object({
    /** Fraction of a date's expected rows it may miss or exceed and still count as complete; 0 = exact. */
    tolerance: z.number().min(0).max(1).default(0),
    /** Dates per context table the leakage guard rebuilds and compares (0: none). */
    leakageSampleDates: z.number().int().min(0).max(VERIFY_LIMITS.maxLeakageSampleDates).default(VERIFY_LIMITS.leakageSampleDates),
  })
  .strict();

export type VerificationOptionsInput = z.input<typeof VerificationOptionsSchema>;

export function parseVerificationOptions(input: unknown): { tolerance: number; leakageSampleDates: number } {
  return parseInput(VerificationOptionsSchema, input ?? {}, 'verification options');
}
