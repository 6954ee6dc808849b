import { z } from 'zod';
import type { Clock } from '../ports/clock.js';
import type { Ledger } from '../ports/ledger.js';
import type { VerificationHistory } from '../ports/alert-store.js';
import { withHistory } from '../alerts/history.js';
import type { Warehouse } from '../ports/warehouse.js';
import { ANALYTICS_TABLES, RUN_MODES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import { SEED_RANGE } from '../config/defaults.js';
import { isIsoDate, type IsoDate } from '../util/dates.js';
import { dateRangeProblems, isoDateField } from '../planning/backfill-request.js';
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
function checkRange(q: { start: string; end?: string | undefined }, ctx: z.RefinementCtx<{ start: string; end?: string | undefined }>): void {
  // A date that failed its own check has been reported already.
  if (!isIsoDate(q.start) || (q.end !== undefined && !isIsoDate(q.end))) return;
  for (const problem of dateRangeProblems(q.start, q.end)) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
}

const VERIFY_FIELDS = {
  ...SCOPE_FIELDS,
  format: z.enum(VERIFY_FORMATS, { error: oneOf(VERIFY_FORMATS) }).default('json'),
  strict: z.enum(['0', '1', 'true', 'false'], { error: oneOf(['0', '1', 'true', 'false']) }).optional().transform((v) => v === '1' || v === 'true'),
};

/** `GET /verify?tables=a,b|all&start=&end=&mode=&format=&strict=1&tolerance=`. */
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
  scope: { tables: readonly AnalyticsTableName[]; start: IsoDate; end?: IsoDate | undefined; mode: RunMode },
  format: VerifyFormat,
  options: { tolerance?: number | undefined } = {},
): Promise<VerificationOutcome> {
  const now = deps.clock.now();
  const end = scope.end ?? new Date(now - 86_400_000).toISOString().slice(0, 10);
  const verified = await verify({
    warehouse: deps.warehouse,
    ledger: deps.ledger,
    scope: { tables: [...scope.tables], start: scope.start, end, mode: scope.mode },
    ...(options.tolerance !== undefined ? { options: { tolerance: options.tolerance } } : {}),
    now,
  });
  const report = deps.history ? await withHistory(deps.history, verified, scope.end === undefined) : verified;
  const passed = report.overall.status === 'COMPLETE';
  return { report, body: format === 'json' ? report : renderReport(report, format), format, passed };
}

export async function verifyScope(deps: { warehouse: Warehouse; ledger: Ledger; clock: Clock; history?: VerificationHistory | undefined }, q: VerifyQuery): Promise<VerificationOutcome> {
  return runVerification(deps, { tables: q.tables, start: q.start, end: q.end, mode: q.mode }, q.format, { tolerance: q.tolerance });
}
