import { fixedMs, lognormalMs, type LatencyDistribution } from './latency.js';

/**
 * How the 50-per-10-s limit on a partitioned table is counted.
 * - `per-job`: each job or DML statement that modifies the table counts once, however many partitions it
 *   replaces. This is how the quotas page lists the operations the limit covers (one load, copy or query
 *   job, one DELETE/INSERT/MERGE/TRUNCATE TABLE/UPDATE statement each), and the only reading under which
 *   a job "can affect up to 4,000 partitions".
 * - `per-partition`: every partition a job modifies counts (a MERGE over 12 dates counts 12). The page's
 *   partitioned-tables section also says BigQuery "uses the number of partitions affected by a job when
 *   determining how much of the limit the job consumes"; this is what the model used before, kept as a
 *   switch so every result can be shown under both readings.
 */
export type PartitionCounting = 'per-job' | 'per-partition';
export const PARTITION_COUNTINGS: readonly PartitionCounting[] = ['per-job', 'per-partition'];

/**
 * The BigQuery limits a backfill of partition replacements meets, per table. Every replacePartitions is
 * one MERGE: a mutating DML statement that modifies one partition per date. Each limit quotes
 * https://docs.cloud.google.com/bigquery/quotas (sections "Data manipulation language" and "Partitioned
 * tables"; read from a stored copy of the page, see docs/scaling.md).
 */
export interface BigQueryLimits {
  /**
   * "Concurrent mutating DML statements per table | 2 statements | BigQuery runs up to two concurrent
   * mutating DML statements (UPDATE, DELETE, and MERGE) for each table. Additional mutating DML
   * statements for a table are queued."
   */
  readonly concurrentMutatingDml: number;
  /**
   * "Queued mutating DML statements per table | 20 statements | A table can have up to 20 mutating DML
   * statements in the queue waiting to run. If you submit additional mutating DML statements for the
   * table, then those statements fail."
   */
  readonly queuedMutatingDml: number;
  /**
   * "Maximum rate of DML statements for each table | 25 statements every 10 seconds | Your project can
   * run up to 25 DML statements every 10 seconds for each table. Both INSERT and mutating DML statements
   * contribute to this limit."
   */
  readonly dmlPerWindow: number;
  /**
   * "Maximum rate of table metadata update operations per partitioned table | 50 modifications per 10
   * seconds | Your project can make up to 50 modifications per partitioned table every 10 seconds. [...]
   * This limit also includes the combined total of all load jobs, copy jobs, and query jobs that append
   * to or overwrite a destination table or that use a DML DELETE, INSERT, MERGE, TRUNCATE TABLE, or
   * UPDATE statements to write data to a table." What one MERGE consumes of it: `countPartitionModifications`.
   */
  readonly tableModificationsPerWindow: number;
  readonly countPartitionModifications: PartitionCounting;
  readonly windowMs: number;
  /**
   * "Number of partitions modified by a single job | 4,000 partitions | Each job operation (query or
   * load) can affect up to 4,000 partitions. BigQuery rejects any query or load job that attempts to
   * modify more than 4,000 partitions."
   */
  readonly partitionsPerJob: number;
  /**
   * "Number of partition modifications per column-partitioned table per day | 30,000 modifications |
   * Your project can make up to 30,000 partition modifications per day for a column-partitioned table.
   * DML statements do not count toward the number of partition modifications per day."
   */
  readonly partitionModificationsPerDay: number;
  /**
   * Whether a DML statement is charged to the daily quota above: false, as the page says ("DML
   * statements do not count toward ..."; and in its DML section: "DML statements do not count toward
   * the number of table modifications per day or the number of partitioned table modifications per day
   * for partitioned tables"). A switch only so a test can show the quota would bind if they did.
   */
  readonly dailyQuotaChargesDml: boolean;
}

export const BIGQUERY_LIMITS: BigQueryLimits = {
  concurrentMutatingDml: 2,
  queuedMutatingDml: 20,
  dmlPerWindow: 25,
  tableModificationsPerWindow: 50,
  countPartitionModifications: 'per-job',
  windowMs: 10_000,
  partitionsPerJob: 4_000,
  partitionModificationsPerDay: 30_000,
  dailyQuotaChargesDml: false,
};

/** What one MERGE over `partitions` partitions consumes of the table-modification window. */
export function tableModificationCost(limits: Pick<BigQueryLimits, 'countPartitionModifications'>, partitions: number): number {
  return limits.countPartitionModifications === 'per-job' ? 1 : partitions;
}

/**
 * Modelled job durations (milliseconds of Google Cloud time). An assumption, not a measurement: a
 * base time per job plus a time per date it replaces; the benchmark prints its results at several
 * settings of the per-date cost so a conclusion does not hang on one guess.
 */
export interface JobLatencies {
  /** A SELECT: the expectations of a chunk, its read-back count. */
  readonly query: LatencyDistribution;
  /** The replace-partitions script (temp table from the transform, ASSERT, MERGE, counts), before per-date work. */
  readonly merge: LatencyDistribution;
  /** What each date adds to the script: more raw partitions scanned, more rows staged and merged. */
  readonly mergePerDateMs: number;
  /** A job refused by a limit: submitted, then failed without running. */
  readonly rejected: LatencyDistribution;
}

/** The per-date costs the benchmark compares (ms): a tenth of a second is the middle guess. */
export const PER_DATE_SETTINGS_MS = [10, 100, 300] as const;
export const MIDDLE_PER_DATE_MS = 100;

/**
 * Seconds, as such jobs are assumed to take on on-demand BigQuery: a parameterised SELECT over a few
 * partitions is about a second; the four-statement script about six, plus a tenth of a second per date.
 */
export const DEFAULT_JOB_LATENCIES: JobLatencies = {
  query: lognormalMs(1_000, 0.3, 10_000),
  merge: lognormalMs(6_000, 0.3, 60_000),
  mergePerDateMs: MIDDLE_PER_DATE_MS,
  rejected: fixedMs(500),
};
