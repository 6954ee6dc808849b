import { z } from 'zod';
import { CHUNK_STATES } from '../chunks/chunk-state.js';
import { ANALYTICS_TABLES, RUN_MODES } from '../tables/names.js';
import { CROSS_TABLE_TRUTHS, IsoDateSchema, ProblemSchema } from './problems.js';
import { TABLE_STATUSES } from './table-status.js';

/**
 * The verification report, version 1: the stable contract of `verify()`'s JSON (documented in
 * REPORT_SCHEMA.md). Fields may be added within a version; none is renamed, retyped or removed
 * without bumping `schemaVersion`. Every count is computed from the warehouse; `ledger` fields are
 * shown beside and never decide a status except IN_PROGRESS.
 */
export const REPORT_SCHEMA_VERSION = 2;

export const CHECKS = [
  /** Every expected date holds exactly (within tolerance) the expected rows. */
  'coverage',
  /** Every date's rows were built from its inputs as they are now (no `stale` date). */
  'inputs_current',
  /** No date holds more rows than expected. */
  'excess_rows',
  /** No rows on dates where nothing was expected. */
  'unexpected_rows',
  /** Every row carries the run_mode of the dataset (no test rows in production). */
  'run_mode',
  'duplicate_keys',
  'null_criticals',
  /** Every game_id is in the schedule and every team column names one of the game's two teams. */
  'keys_resolve',
  /** The contract's cross-table truths that apply to this table. */
  'cross_table',
  /** Context tables: sampled partitions rebuilt from inputs with the future masked equal what is stored. */
  'no_leakage',
] as const;
export type CheckName = (typeof CHECKS)[number];

export const CHECK_FAMILIES = ['row_counts', 'input_lineage', 'test_dataset', 'key_integrity', 'cross_table', 'leakage'] as const;
export type CheckFamily = (typeof CHECK_FAMILIES)[number];

export const QuerySchema = z.object({
  family: z.enum(CHECK_FAMILIES),
  /** The query's label (also the job label in BigQuery). */
  label: z.string(),
  /** Bytes the engine reports it processed; null where the engine does not say (DuckDB). */
  bytesProcessed: z.number().nullable(),
});

export const LedgerViewSchema = z.object({
  /** Chunks of (table, mode) with game dates in scope, per state. */
  chunksByState: z.record(z.enum(CHUNK_STATES), z.number().int()),
  /** Active runs of this mode that include the table and overlap the scope. */
  activeRunIds: z.array(z.string()),
  /** Non-terminal chunks in scope that belong to an active run. */
  inFlightChunks: z.number().int(),
});

/** A date holding exactly (within tolerance) the rows the contract expects. */
export const CompleteDateSchema = z.object({ date: IsoDateSchema, expectedRows: z.number().int(), rows: z.number().int() });
export type CompleteDate = z.infer<typeof CompleteDateSchema>;

export const TableReportSchema = z.object({
  table: z.enum(ANALYTICS_TABLES),
  /** Dataset (BigQuery) or schema (DuckDB) verified, e.g. `nba_analytics`. */
  dataset: z.string(),
  status: z.enum(TABLE_STATUSES),
  statusReason: z.string(),
  /** Rows in scope. */
  rows: z.number().int(),
  /** Rows the contract expects on expected dates (source-short dates left out). */
  expectedRows: z.number().int(),
  /** Dates with expected rows > 0 and complete raw data. */
  expectedDates: z.number().int(),
  /** Expected dates holding exactly (within tolerance) the expected rows. */
  completeDates: z.number().int(),
  /** The complete dates, in date order: with the `date_rows` problems' dates, every date of the table's calendar in scope. */
  completeDateList: z.array(CompleteDateSchema),
  /** 100 x completeDates / expectedDates, one decimal, floored; null when nothing is expected. */
  coveragePct: z.number().nullable(),
  /** Dates whose raw data is short (listed under the `no_source` problem), and their games. */
  sourceShortDates: z.number().int(),
  sourceShortGames: z.number().int(),
  /** Game dates the scope excludes: listed under the `excluded` reason, counted apart from coverage. */
  excludedDates: z.number().int(),
  minDate: IsoDateSchema.nullable(),
  maxDate: IsoDateSchema.nullable(),
  distinctDates: z.number().int(),
  /** Rows of the same table in the test dataset in scope; null when verifying the test dataset. */
  testDatasetRows: z.number().int().nullable(),
  checks: z.array(z.object({ name: z.enum(CHECKS), passed: z.boolean() })),
  /** Cross-table truths that apply to this table, with how many pairs were compared (0 = nothing to compare). */
  crossTable: z.array(z.object({ truth: z.enum(CROSS_TABLE_TRUTHS), compared: z.number().int(), mismatches: z.number().int() })),
  queries: z.array(QuerySchema),
  /** Context tables: the dates whose partition the leakage guard rebuilt and compared; null for other tables. */
  leakageChecked: z.array(IsoDateSchema).nullable(),
  /** Null when verify() had no ledger. */
  ledger: LedgerViewSchema.nullable(),
  problems: z.array(ProblemSchema),
});
export type TableReport = z.infer<typeof TableReportSchema>;

const TablePassingViewSchema = z.object({ lastVerifiedAt: z.string(), lastPassedAt: z.string().nullable() });

/**
 * When this scope was last verified and last passed, from the history of recorded verifications
 * (scheduled, end of run, local CLI). Shown beside the report; never part of any status.
 */
export const HistoryViewSchema = z.object({
  /** The history's key: `production:2016-10-01..` for a scope through yesterday, else with its end. */
  scopeKey: z.string(),
  /** ISO-8601 UTC; null when this scope was never recorded. */
  lastVerifiedAt: z.string().nullable(),
  /** ISO-8601 UTC of the last verification where every table was COMPLETE; null when never. */
  lastPassedAt: z.string().nullable(),
  tables: z.partialRecord(z.enum(ANALYTICS_TABLES), TablePassingViewSchema),
});
export type HistoryView = z.infer<typeof HistoryViewSchema>;

export const VerificationReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  /** ISO-8601 UTC timestamp of `now`. */
  generatedAt: z.string(),
  scope: z.object({
    tables: z.array(z.enum(ANALYTICS_TABLES)),
    start: IsoDateSchema,
    end: IsoDateSchema,
    mode: z.enum(RUN_MODES),
    /** Dates the scope leaves out, sorted. */
    excludeDates: z.array(IsoDateSchema),
  }),
  options: z.object({ tolerance: z.number().min(0).max(1) }),
  overall: z.object({
    status: z.enum(TABLE_STATUSES),
    tablesComplete: z.number().int(),
    tablesTotal: z.number().int(),
    completePct: z.number().int(),
    line: z.string(),
  }),
  /** Sum over every query; null when no query reported bytes. */
  bytesProcessed: z.number().nullable(),
  tables: z.array(TableReportSchema),
  /** Present where a history is kept (the API with its alert store, the local CLI). */
  history: HistoryViewSchema.optional(),
});
export type VerificationReport = z.infer<typeof VerificationReportSchema>;
