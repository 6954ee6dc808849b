import { z } from 'zod';
import { ANALYTICS_TABLES, RUN_MODES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import { isIsoDate, diffDays, type IsoDate } from '../util/dates.js';
import { LIMITS } from '../config/defaults.js';

const isoDate = z.string().refine(isIsoDate, { message: 'must be a real calendar date written YYYY-MM-DD' });

/**
 * What a person asks for: the same shape from the CLI's `run`, `POST /backfills` and reconcile's
 * coverage targets. Validated here, once, for every entry point.
 */
export const BackfillRequestSchema = z
  .object({
    tables: z.union([z.literal('all'), z.array(z.enum(ANALYTICS_TABLES)).min(1, 'name at least one table, or "all"')]),
    start: isoDate,
    end: isoDate,
    excludeDates: z.array(isoDate).max(LIMITS.maxExcludedDates).default([]),
    mode: z.enum(RUN_MODES).default('production'),
  })
  .strict()
  .superRefine((req, ctx) => {
    if (req.end < req.start) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `end ${req.end} is before start ${req.start}` });
      return;
    }
    const days = diffDays(req.end, req.start) + 1;
    if (days > LIMITS.maxRangeDays) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `range of ${days} days is longer than the limit of ${LIMITS.maxRangeDays}` });
    }
    if (req.start < LIMITS.earliestDate) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: `start ${req.start} is before ${LIMITS.earliestDate}, the earliest date this warehouse holds` });
    }
  });

export type BackfillRequestInput = z.input<typeof BackfillRequestSchema>;

export interface BackfillRequest {
  readonly tables: readonly AnalyticsTableName[];
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly excludeDates: readonly IsoDate[];
  readonly mode: RunMode;
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
  if (!parsed.success) {
    throw new InvalidRequestError(
      parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)),
      { cause: parsed.error },
    );
  }
  const req = parsed.data;
  const wanted = req.tables === 'all' ? ANALYTICS_TABLES : req.tables;
  return {
    tables: ANALYTICS_TABLES.filter((t) => wanted.includes(t)),
    start: req.start,
    end: req.end,
    excludeDates: [...new Set(req.excludeDates)].sort(),
    mode: req.mode,
  };
}
