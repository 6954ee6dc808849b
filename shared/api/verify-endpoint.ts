import { z } from 'zod';
import type { Clock } from '../ports/clock.js';
import type { Ledger } from '../ports/ledger.js';
import type { VerificationHistory } from '../ports/alert-store.js';
import { withHistory } from '../alerts/history.js';
import type { Warehouse } from '../ports/warehouse.js';
import type { RunMode } from '../tables/names.js';
import { SEED_RANGE } from '../config/defaults.js';
import { yesterdayOf, type IsoDate } from '../util/dates.js';
import {
  checkRange, enumField, excludeDatesField, isoDateField, listText, modeField, sortedDates, strictObjectError, tablesField, tablesInOrder,
} from '../input/fields.js';
import type { OpenVerificationScope } from '../verify/verification-scope.js';
import { verify } from '../verify/verify.js';
import { renderJson } from '../verify/render-json.js';
import { renderText } from '../verify/render-text.js';
import { renderMarkdown } from '../verify/render-markdown.js';
import type { VerificationReport } from '../verify/report-schema.js';

export const VERIFY_FORMATS = ['text', 'json', 'markdown'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

/** A parameter given twice arrives as a list; each of these is given once. */
const once = (what: string) => z.string({ error: `must be ${what}, given once` });

/**
 * The scope of a verification as query parameters: what GET /verify and the status page (GET /) both take.
 * The fields and the range rules are a backfill request's and a verification scope's (shared/input/fields.ts);
 * only the spelling is the query's: comma-separated lists, `exclude` for excludeDates, an open end.
 */
const SCOPE_FIELDS = {
  tables: once('"all" or a comma-separated list of tables').default('all').transform(listText).pipe(tablesField),
  start: isoDateField.default(SEED_RANGE.start),
  end: isoDateField.optional(),
  mode: modeField.default('production'),
  exclude: once('a comma-separated list of dates written YYYY-MM-DD').optional().transform((v) => (v === undefined ? [] : listText(v))).pipe(excludeDatesField),
  tolerance: once('a number from 0 to 1')
    .regex(/^(0|1|0?\.\d+|1\.0*)$/, 'must be a number from 0 to 1, like 0.01')
    .transform(Number)
    .optional(),
};

/** The query as a scope (tables in dependency order, excluded dates sorted), after the range rules. */
function asScope<Q extends { tables: 'all' | string[]; start: IsoDate; end?: IsoDate | undefined; mode: RunMode; exclude: IsoDate[] }>(schema: z.ZodType<Q, unknown>) {
  return schema
    .superRefine((q, ctx) => checkRange({ start: q.start, end: q.end, excludeDates: q.exclude }, ctx))
    .transform((q) => {
      const scope: OpenVerificationScope = { tables: tablesInOrder(q.tables), start: q.start, end: q.end, mode: q.mode, excludeDates: sortedDates(q.exclude) };
      return { ...q, scope };
    });
}

const VERIFY_FIELDS = {
  ...SCOPE_FIELDS,
  format: enumField(VERIFY_FORMATS).default('json'),
  strict: enumField(['0', '1', 'true', 'false']).optional().transform((v) => v === '1' || v === 'true'),
};

/** `GET /verify?tables=a,b|all&start=&end=&exclude=D,D&mode=&format=&strict=1&tolerance=`. */
export const VerifyQuerySchema = asScope(z.strictObject(VERIFY_FIELDS, { error: strictObjectError(Object.keys(VERIFY_FIELDS), { noun: 'parameter' }) }));

/** The scope alone: `tables=&start=&end=&exclude=&mode=&tolerance=` (the status page). */
export const ScopeQuerySchema = asScope(z.strictObject(SCOPE_FIELDS, { error: strictObjectError(Object.keys(SCOPE_FIELDS), { noun: 'parameter' }) }));
export type ScopeQuery = z.output<typeof ScopeQuerySchema>;

/** How a query's problems read: the query's own parameter names. */
export const QUERY_PROBLEMS = { root: 'query', rename: { excludeDates: 'exclude' } } as const;

export type VerifyQuery = z.output<typeof VerifyQuerySchema>;

export interface VerificationOutcome {
  readonly report: VerificationReport;
  readonly body: string | VerificationReport;
  readonly format: VerifyFormat;
  /** Every table COMPLETE. */
  readonly passed: boolean;
}

export function renderReport(report: VerificationReport, format: VerifyFormat): string {
  if (format === 'json') return renderJson(report);
  if (format === 'markdown') return renderMarkdown(report);
  return renderText(report);
}

/**
 * Verify a scope and render it; `end` defaults to yesterday (the last date that can be final). With a
 * history, the report says when the scope last passed (read only: recording is the caller's choice).
 */
export async function runVerification(
  deps: { warehouse: Warehouse; ledger: Ledger | null; clock: Clock; history?: VerificationHistory | undefined },
  scope: OpenVerificationScope,
  format: VerifyFormat,
  options: { tolerance?: number | undefined } = {},
): Promise<VerificationOutcome> {
  const now = deps.clock.now();
  const end = scope.end ?? yesterdayOf(now);
  const verified = await verify({
    warehouse: deps.warehouse,
    ledger: deps.ledger,
    // An open scope's exclusions past yesterday are not in it yet.
    scope: { ...scope, end, excludeDates: scope.excludeDates.filter((d) => d <= end) },
    ...(options.tolerance !== undefined ? { options: { tolerance: options.tolerance } } : {}),
    now,
  });
  const report = deps.history ? await withHistory(deps.history, verified, scope.end === undefined) : verified;
  const passed = report.overall.status === 'COMPLETE';
  return { report, body: format === 'json' ? report : renderReport(report, format), format, passed };
}

export async function verifyScope(deps: { warehouse: Warehouse; ledger: Ledger; clock: Clock; history?: VerificationHistory | undefined }, q: VerifyQuery): Promise<VerificationOutcome> {
  return runVerification(deps, q.scope, q.format, { tolerance: q.tolerance });
}
