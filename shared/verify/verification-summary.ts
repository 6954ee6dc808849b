import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ANALYTICS_TABLES, RUN_MODES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import { IsoDateSchema, PROBLEM_KINDS, SEVERITIES, describeProblem, problemSeverity, problemSubject, type Problem } from './problems.js';
import type { VerificationReport } from './report-schema.js';
import { TABLE_STATUSES } from './table-status.js';

/**
 * The small form of a report, for alerts and history: status per table, the overall line, and one
 * fingerprint per problem. A fingerprint names what is wrong (mode, table, kind and its subject:
 * date reason, column or truth), never how much or on which dates, so the same problem seen again
 * (even grown) deduplicates, and a new kind of problem alerts anew.
 */
export const VerificationSummarySchema = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.string(),
  scope: z.object({ start: IsoDateSchema, end: IsoDateSchema, mode: z.enum(RUN_MODES) }),
  overall: z.object({ status: z.enum(TABLE_STATUSES), line: z.string() }),
  tables: z.array(z.object({ table: z.enum(ANALYTICS_TABLES), status: z.enum(TABLE_STATUSES), coveragePct: z.number().nullable() })),
  problems: z.array(
    z.object({
      fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
      table: z.enum(ANALYTICS_TABLES),
      kind: z.enum(PROBLEM_KINDS),
      /** Date reason, column or cross-table truth; empty when the kind says it all. */
      subject: z.string(),
      severity: z.enum(SEVERITIES),
      /** Dates for date problems, keys for duplicates, mismatches for cross-table truths, rows otherwise. */
      count: z.number().int(),
      description: z.string(),
    }),
  ),
});
export type VerificationSummary = z.infer<typeof VerificationSummarySchema>;

export function problemFingerprint(mode: RunMode, table: AnalyticsTableName, problem: Problem): string {
  const identity = ['verify-v1', mode, table, problem.kind, problemSubject(problem)].join('|');
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

export function problemCount(problem: Problem): number {
  switch (problem.kind) {
    case 'date_rows': return problem.dates.length;
    case 'duplicate_keys': return problem.keys;
    case 'cross_table_mismatch': return problem.mismatches;
    case 'leakage': return problem.dates.length;
    default: return problem.rows;
  }
}

export function summarizeReport(report: VerificationReport): VerificationSummary {
  const { mode } = report.scope;
  return {
    schemaVersion: 1,
    generatedAt: report.generatedAt,
    scope: { start: report.scope.start, end: report.scope.end, mode },
    overall: { status: report.overall.status, line: report.overall.line },
    tables: report.tables.map((t) => ({ table: t.table, status: t.status, coveragePct: t.coveragePct })),
    problems: report.tables.flatMap((t) =>
      t.problems.map((p) => ({
        fingerprint: problemFingerprint(mode, t.table, p),
        table: t.table,
        kind: p.kind,
        subject: problemSubject(p),
        severity: problemSeverity(p),
        count: problemCount(p),
        description: describeProblem(p),
      })),
    ),
  };
}
