import { z } from 'zod';
import type { Clock } from '../ports/clock.js';
import type { Ledger } from '../ports/ledger.js';
import type { VerificationHistory } from '../ports/alert-store.js';
import { withHistory } from '../alerts/history.js';
import type { Warehouse } from '../ports/warehouse.js';
import { ANALYTICS_TABLES, RUN_MODES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import { LIMITS, SEED_RANGE } from '../config/defaults.js';
import { isIsoDate, type IsoDate } from '../util/dates.js';
import { dateRangeProblems, excludedDateProblems, isoDateField } from '../planning/backfill-request.js';
import { verify } from '../verify/verify.js';
import { renderJson } from '../verify/render-json.js';
import { renderText } from '../verify/render-text.js';
import { renderMarkdown } from '../verify/render-markdown.js';
import type { VerificationReport } from '../verify/report-schema.js';

export const VERIFY_FORMATS = ['text', 'json', 'markdown'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;

/** The scope of a verification as query parameters: what GET /verify and the status page (GET /) both take. */
const SCOPE_FIELDS = {
  tables: z
    .string({ error: 'must be "all" or a comma-separated list of tables, given once' })
    .default('all')
    .transform((v, ctx) => {
      if (v.trim() === 'all') return [...ANALYTICS_TABLES];
      const names = v.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = [...new Set(names.filter((n) => !(ANALYTICS_TABLES as readonly string[]).includes(n)))];
      if (unknown.length || names.length === 0) {
        const shown = unknown.slice(0, 5).map((n) => (n.length > 40 ? `${n.slice(0, 40)}...` : n)).join(', ');
        ctx.addIssue({ code: 'custom', message: `unknown table(s): ${shown || '(none)'}; known: all, ${ANALYTICS_TABLES.join(', ')}` });
        return z.NEVER;
      }
      return names as AnalyticsTableName[];
    }),
  start: isoDateField.default(SEED_RANGE.start),
  end: isoDateField.optional(),
  mode: z.enum(RUN_MODES, { error: oneOf(RUN_MODES) }).default('production'),
  exclude: z
    .string({ error: 'must be a comma-separated list of dates written YYYY-MM-DD, given once' })
    .optional()
    .transform((v, ctx) => {
      const dates = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const valid = new Set(dates.filter(isIsoDate));
      const bad = dates.filter((d) => !valid.has(d));
      if (bad.length) ctx.addIssue({ code: 'custom', message: `must be dates written YYYY-MM-DD, got ${bad.slice(0, 5).map((b) => JSON.stringify(b.slice(0, 20))).join(', ')}` });
      if (dates.length > LIMITS.maxExcludedDates) ctx.addIssue({ code: 'custom', message: `at most ${LIMITS.maxExcludedDates} excluded dates; narrow the range instead` });
      return [...new Set(dates)].sort();
    }),
  tolerance: z
    .string({ error: 'must be a number from 0 to 1, given once' })
    .regex(/^(0|1|0?\.\d+|1\.0*)$/, 'must be a number from 0 to 1, like 0.01')
    .transform(Number)
    .optional(),
};

/** Unknown query parameters are refused, naming the known ones. */
function unknownKeys(known: readonly string[]) {
  return (issue: { code?: string | undefined; keys?: readonly string[] | undefined }) => (issue.code === 'unrecognized_keys' && issue.keys
    ? `unknown parameter${issue.keys.length === 1 ? '' : 's'} ${issue.keys.slice(0, 5).join(', ')}; known: ${known.join(', ')}`
    : undefined);
}

/** Dates within the limits of a backfill. */
function checkRange(
  q: { start: string; end?: string | undefined; exclude: string[] },
  ctx: z.RefinementCtx<{ start: string; end?: string | undefined; exclude: string[] }>,
): void {
  // A date that failed its own check has been reported already.
  if (!isIsoDate(q.start) || (q.end !== undefined && !isIsoDate(q.end))) return;
  for (const problem of dateRangeProblems(q.start, q.end)) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  // Without an end the scope runs through yesterday: what is not known yet is checked against the start only.
  for (const problem of excludedDateProblems(q.start, q.end ?? '9999-12-31', q.exclude.filter(isIsoDate))) ctx.addIssue({ code: 'custom', path: ['exclude'], message: problem.message.replace('..9999-12-31', '..') });
}

const VERIFY_FIELDS = {
  ...SCOPE_FIELDS,
  format: z.enum(VERIFY_FORMATS, { error: oneOf(VERIFY_FORMATS) }).default('json'),
  strict: z.enum(['0', '1', 'true', 'false'], { error: oneOf(['0', '1', 'true', 'false']) }).optional().transform((v) => v === '1' || v === 'true'),
};

/** `GET /verify?tables=a,b|all&start=&end=&exclude=D,D&mode=&format=&strict=1&tolerance=`. */
export const VerifyQuerySchema = z.strictObject(VERIFY_FIELDS, { error: unknownKeys(Object.keys(VERIFY_FIELDS)) }).superRefine(checkRange);

/** The scope alone: `tables=&start=&end=&mode=&tolerance=` (the status page). */
export const ScopeQuerySchema = z.strictObject(SCOPE_FIELDS, { error: unknownKeys(Object.keys(SCOPE_FIELDS)) }).superRefine(checkRange);
export type ScopeQuery = z.output<typeof ScopeQuerySchema>;

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
  scope: { tables: readonly AnalyticsTableName[]; start: IsoDate; end?: IsoDate | undefined; mode: RunMode; excludeDates?: readonly IsoDate[] | undefined },
  format: VerifyFormat,
  options: { tolerance?: number | undefined } = {},
): Promise<VerificationOutcome> {
  const now = deps.clock.now();
  const end = scope.end ?? new Date(now - 86_400_000).toISOString().slice(0, 10);
  const verified = await verify({
    warehouse: deps.warehouse,
    ledger: deps.ledger,
    scope: { tables: [...scope.tables], start: scope.start, end, mode: scope.mode, excludeDates: [...(scope.excludeDates ?? [])].filter((d) => d <= end) },
    ...(options.tolerance !== undefined ? { options: { tolerance: options.tolerance } } : {}),
    now,
  });
  const report = deps.history ? await withHistory(deps.history, verified, scope.end === undefined) : verified;
  const passed = report.overall.status === 'COMPLETE';
  return { report, body: format === 'json' ? report : renderReport(report, format), format, passed };
}

export async function verifyScope(deps: { warehouse: Warehouse; ledger: Ledger; clock: Clock; history?: VerificationHistory | undefined }, q: VerifyQuery): Promise<VerificationOutcome> {
  return runVerification(deps, { tables: q.tables, start: q.start, end: q.end, mode: q.mode, excludeDates: q.exclude }, q.format, { tolerance: q.tolerance });
}
