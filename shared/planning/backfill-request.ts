import { z } from 'zod';
import type { AnalyticsTableName, RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import { SCOPE_EXAMPLE, checkRange, enumField, strictObjectError, excludeDatesField, isoDateField, modeField, sortedDates, tablesField, tablesInOrder } from '../input/fields.js';
import { parseInput } from '../input/invalid-input.js';
import type { VerificationScope } from '../verify/verification-scope.js';

/**
 * What a run redoes besides what the warehouse lacks (missing, short, in excess, or stale partitions, always
 * redone): `failed` also its chunks that ended failed, dead or no_source (Airflow's "reprocess failed tasks"),
 * `all` every chunk of its scope (a full refresh, like dbt's --full-refresh), in dependency order.
 */
export const REPROCESS_MODES = ['none', 'failed', 'all'] as const;
export type ReprocessMode = (typeof REPROCESS_MODES)[number];

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
      excludeDates: excludeDatesField.default([]),
      mode: modeField.default('production'),
      reprocess: enumField(REPROCESS_MODES).default('none'),
    },
    { error: strictObjectError(FIELDS, { like: SCOPE_EXAMPLE }) },
  )
  .superRefine(checkRange);

export type BackfillRequestInput = z.input<typeof BackfillRequestSchema>;

export interface BackfillRequest {
  readonly tables: readonly AnalyticsTableName[];
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly excludeDates: readonly IsoDate[];
  readonly mode: RunMode;
  readonly reprocess: ReprocessMode;
}

/** Parse and normalise: 'all' expands, tables come out in dependency order, excluded dates sorted and unique. */
export function parseBackfillRequest(input: unknown): BackfillRequest {
  const req = parseInput(BackfillRequestSchema, input, 'backfill request');
  return {
    tables: tablesInOrder(req.tables),
    start: req.start,
    end: req.end,
    excludeDates: sortedDates(req.excludeDates),
    mode: req.mode,
    reprocess: req.reprocess,
  };
}

/** What verifying a run means: its tables over its range, without the dates it excluded (they are listed as excluded). */
export function scopeOfRequest(request: BackfillRequest): VerificationScope {
  return { tables: request.tables, start: request.start, end: request.end, mode: request.mode, excludeDates: request.excludeDates };
}
