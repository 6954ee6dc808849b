import type { Ledger } from '../ports/ledger.js';
import type { Row, Warehouse } from '../ports/warehouse.js';
import type { RenderedQuery } from '../sql/dialect.js';
import { ANALYTICS_DATASETS, type AnalyticsTableName } from '../tables/names.js';
import { tableSpec } from '../tables/registry.js';
import { evaluateDates } from './evaluate-dates.js';
import { loadLedgerViews, type TableLedgerView } from './ledger-view.js';
import { problemSeverity, type Problem } from './problems.js';
import { REPORT_SCHEMA_VERSION, type CheckFamily, type CheckName, type TableReport, type VerificationReport } from './report-schema.js';
import { CROSS_TABLE_TRUTH_OF, crossTableQuery, parseCrossTable, type CrossTableResult } from './sql/cross-table-queries.js';
import { integrityQuery, parseIntegrity } from './sql/integrity-query.js';
import { datasetCountsQuery, parseDatasetCounts } from './sql/row-counts-query.js';
import { assessPartitions, sliceAssessment, type TableAssessment } from '../lineage/assess-partitions.js';
import { checkLeakage, readsHistory, sampleDates } from './leakage.js';
import { decideOverall, decideTableStatus } from './table-status.js';
import { parseVerificationOptions, type VerificationOptionsInput, type VerificationScope } from './verification-scope.js';

export interface VerifyInput {
  readonly warehouse: Warehouse;
  /** Checkpoints, shown beside the warehouse's numbers; without one, gaps read `not_processed`. */
  readonly ledger?: Ledger | null;
  /** `{ tables: [...] | 'all', start, end, mode }`, validated here (callers may pass unchecked input). */
  /** Validated where it came in (parseVerificationScope, a backfill request, the GET /verify query). */
  readonly scope: VerificationScope;
  readonly options?: VerificationOptionsInput;
  /** Epoch milliseconds: when the report is made. */
  readonly now: number;
}

/**
 * Verify analytics tables against the contract, from the warehouse itself: per table, one query per
 * check family (row counts, test dataset, key integrity, cross-table), each reading only the columns
 * it needs of the partitions in [start, end]. Throws InvalidInputError on bad options.
 */
export async function verify(input: VerifyInput): Promise<VerificationReport> {
  const { scope } = input;
  const { tolerance, leakageSampleDates } = parseVerificationOptions(input.options);
  const ledgerViews = input.ledger ? await loadLedgerViews(input.ledger, scope.tables, scope) : null;
  // Each table beside what its upstream inputs hold: a context date built from missing history is not complete.
  const assessments = await assessPartitions(input.warehouse, scope.mode, scope.tables.map((table) => ({ table, start: scope.start, end: scope.end })), { tolerance });
  const upstreamOnly = [...assessments.values()].filter((a) => !scope.tables.includes(a.table));
  const tables = await Promise.all(
    scope.tables.map((table, i) => verifyTable(input.warehouse, table, scope, tolerance, ledgerViews?.get(table) ?? null, {
      assessment: sliceAssessment(assessments.get(table) as TableAssessment, scope.start, scope.end),
      leakageSampleDates,
      // Queries run for upstream tables outside the scope are reported with the first table.
      extraQueries: i === 0 ? upstreamOnly.flatMap((a) => a.queries) : [],
    })),
  );
  const overall = decideOverall(tables.map((t) => t.status));
  const bytes = tables.flatMap((t) => t.queries.map((q) => q.bytesProcessed)).filter((b): b is number => b !== null);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: new Date(input.now).toISOString(),
    scope: { tables: [...scope.tables], start: scope.start, end: scope.end, mode: scope.mode, excludeDates: [...scope.excludeDates] },
    options: { tolerance },
    overall,
    bytesProcessed: bytes.length > 0 ? bytes.reduce((a, b) => a + b, 0) : null,
    tables,
  };
}

interface Ran {
  readonly family: CheckFamily;
  readonly label: string;
  readonly bytesProcessed: number | null;
  readonly rows: Row[];
}

async function run(warehouse: Warehouse, family: CheckFamily, query: RenderedQuery): Promise<Ran> {
  const result = await warehouse.query(query);
  return { family, label: query.label, bytesProcessed: result.bytesProcessed ?? null, rows: result.rows };
}

async function verifyTable(
  warehouse: Warehouse,
  table: AnalyticsTableName,
  scope: VerificationScope,
  tolerance: number,
  ledger: TableLedgerView | null,
  lineage: { readonly assessment: TableAssessment; readonly extraQueries: TableAssessment['queries']; readonly leakageSampleDates: number },
): Promise<TableReport> {
  const spec = tableSpec(table);
  const ctx = warehouse.context(scope.mode);
  const dataset = ANALYTICS_DATASETS[scope.mode];
  const truth = CROSS_TABLE_TRUTH_OF[table];
  // The test dataset is looked at beside production only: it explains gaps, it never fills them.
  const lookAtTest = scope.mode === 'production';

  const guarded = readsHistory(spec);
  const leakageDates = guarded ? sampleDates([...lineage.assessment.counts.keys()], lineage.leakageSampleDates) : [];
  const [testCounts, integrity, cross, leakage] = await Promise.all([
    lookAtTest ? run(warehouse, 'test_dataset', datasetCountsQuery(spec, warehouse.context('test'), scope)) : null,
    run(warehouse, 'key_integrity', integrityQuery(spec, ctx, scope)),
    truth ? run(warehouse, 'cross_table', crossTableQuery(truth, ctx, { ...scope, dataset })) : null,
    guarded ? checkLeakage(warehouse, spec, scope.mode, leakageDates) : null,
  ]);

  const { assessment } = lineage;
  const dates = evaluateDates({
    mode: scope.mode,
    expectations: assessment.expectations,
    counts: assessment.counts,
    stale: assessment.stale,
    excluded: new Set(scope.excludeDates),
    testCounts: testCounts ? parseDatasetCounts(testCounts.rows) : null,
    chunks: ledger?.chunksByDate ?? null,
    tolerance,
  });
  const crossResult: CrossTableResult | null = truth && cross ? parseCrossTable(truth, cross.rows) : null;
  const problems: Problem[] = [
    ...dates.problems,
    ...parseIntegrity(spec, integrity.rows),
    ...(crossResult?.problem ? [crossResult.problem] : []),
    ...(leakage && leakage.findings.length > 0 ? [{ kind: 'leakage' as const, dates: leakage.findings.map((f) => ({ ...f, columns: [...f.columns], sample: [...f.sample] })) }] : []),
  ];
  const decision = decideTableStatus({
    problems,
    rows: dates.rows,
    testRows: dates.testDatasetRows,
    inFlightChunks: ledger?.inFlightChunks ?? 0,
  });
  const { problems: _dateProblems, ...metrics } = dates;
  return {
    table,
    dataset,
    status: decision.status,
    statusReason: decision.reason,
    ...metrics,
    checks: checksOf(problems, truth !== undefined, guarded),
    crossTable: crossResult ? [{ truth: crossResult.truth, compared: crossResult.compared, mismatches: crossResult.mismatches }] : [],
    queries: [
      ...assessment.queries,
      ...lineage.extraQueries,
      ...[testCounts, integrity, cross].filter((r): r is Ran => r !== null).map((r) => ({ family: r.family, label: r.label, bytesProcessed: r.bytesProcessed })),
      ...(leakage?.queries ?? []).map((q) => ({ family: 'leakage' as const, ...q })),
    ],
    leakageChecked: leakage ? [...leakage.checkedDates] : null,
    ledger: ledger
      ? { chunksByState: ledger.chunksByState, activeRunIds: ledger.activeRunIds, inFlightChunks: ledger.inFlightChunks }
      : null,
    problems,
  };
}

function checksOf(problems: readonly Problem[], hasCrossTable: boolean, guarded: boolean): Array<{ name: CheckName; passed: boolean }> {
  const none = (test: (p: Problem) => boolean) => !problems.some(test);
  const checks: Array<{ name: CheckName; passed: boolean }> = [
    { name: 'coverage', passed: none((p) => p.kind === 'date_rows' && problemSeverity(p) === 'incomplete' && p.reason !== 'stale') },
    { name: 'inputs_current', passed: none((p) => p.kind === 'date_rows' && p.reason === 'stale') },
    { name: 'excess_rows', passed: none((p) => p.kind === 'date_rows' && p.reason === 'excess') },
    { name: 'unexpected_rows', passed: none((p) => p.kind === 'unexpected_rows') },
    { name: 'run_mode', passed: none((p) => p.kind === 'wrong_run_mode') },
    { name: 'duplicate_keys', passed: none((p) => p.kind === 'duplicate_keys') },
    { name: 'null_criticals', passed: none((p) => p.kind === 'null_critical') },
    { name: 'keys_resolve', passed: none((p) => p.kind === 'unknown_game' || p.kind === 'team_not_in_game') },
  ];
  if (hasCrossTable) checks.push({ name: 'cross_table', passed: none((p) => p.kind === 'cross_table_mismatch') });
  if (guarded) checks.push({ name: 'no_leakage', passed: none((p) => p.kind === 'leakage') });
  return checks;
}
