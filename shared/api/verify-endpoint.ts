import { z } from 'zod';
import type { Clock } from '../ports/clock.js';
import type { Ledger } from '../ports/ledger.js';
import type { Warehouse } from '../ports/warehouse.js';
import { ANALYTICS_TABLES, RUN_MODES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import { SEED_RANGE } from '../config/defaults.js';
import { isIsoDate, type IsoDate } from '../util/dates.js';
import { verify } from '../verify/verify.js';
import { renderJson } from '../verify/render-json.js';
import { renderText } from '../verify/render-text.js';
import { renderMarkdown } from '../verify/render-markdown.js';
import type { VerificationReport } from '../verify/report-schema.js';

export const VERIFY_FORMATS = ['text', 'json', 'markdown'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

const date = z.string().refine(isIsoDate, 'must be a real date written YYYY-MM-DD');

/** `GET /verify?tables=a,b|all&start=&end=&mode=&format=&strict=1&tolerance=` */
export const VerifyQuerySchema = z
  .object({
    tables: z
      .string()
      .default('all')
      .transform((v, ctx) => {
        if (v.trim() === 'all') return [...ANALYTICS_TABLES];
        const names = v.split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = names.filter((n) => !(ANALYTICS_TABLES as readonly string[]).includes(n));
        if (unknown.length || names.length === 0) {
          ctx.addIssue({ code: 'custom', message: `unknown table(s): ${unknown.join(', ') || '(none)'}; known: all, ${ANALYTICS_TABLES.join(', ')}` });
          return z.NEVER;
        }
        return names as AnalyticsTableName[];
      }),
    start: date.default(SEED_RANGE.start),
    end: date.optional(),
    mode: z.enum(RUN_MODES).default('production'),
    format: z.enum(VERIFY_FORMATS).default('json'),
    strict: z.enum(['0', '1', 'true', 'false']).optional().transform((v) => v === '1' || v === 'true'),
    tolerance: z.coerce.number().min(0).max(1).optional(),
  })
  .strict();

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

/** Verify a scope and render it; `end` defaults to yesterday (the last date that can be final). */
export async function runVerification(
  deps: { warehouse: Warehouse; ledger: Ledger | null; clock: Clock },
  scope: { tables: readonly AnalyticsTableName[]; start: IsoDate; end?: IsoDate | undefined; mode: RunMode },
  format: VerifyFormat,
  options: { tolerance?: number | undefined } = {},
): Promise<VerificationOutcome> {
  const now = deps.clock.now();
  const end = scope.end ?? new Date(now - 86_400_000).toISOString().slice(0, 10);
  const report = await verify({
    warehouse: deps.warehouse,
    ledger: deps.ledger,
    scope: { tables: [...scope.tables], start: scope.start, end, mode: scope.mode },
    ...(options.tolerance !== undefined ? { options: { tolerance: options.tolerance } } : {}),
    now,
  });
  const passed = report.overall.status === 'COMPLETE';
  return { report, body: format === 'json' ? report : renderReport(report, format), format, passed };
}

export async function verifyScope(deps: { warehouse: Warehouse; ledger: Ledger; clock: Clock }, q: VerifyQuery): Promise<VerificationOutcome> {
  return runVerification(deps, { tables: q.tables, start: q.start, end: q.end, mode: q.mode }, q.format, { tolerance: q.tolerance });
}
