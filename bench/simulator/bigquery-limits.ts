import { fixedMs, lognormalMs, type LatencyDistribution } from './latency.js';

/**
 * The BigQuery limits a backfill of partition replacements meets, per table
 * (https://cloud.google.com/bigquery/quotas, "DML statements" and "Partitioned tables"). Every
 * replacePartitions is one MERGE: a mutating DML statement that modifies one partition per date.
 */
export interface BigQueryLimits {
  /** Mutating DML statements (UPDATE, DELETE, MERGE) running at once against a table. */
  readonly concurrentMutatingDml: number;
  /** Mutating DML statements waiting their turn against a table; past it a statement fails. */
  readonly queuedMutatingDml: number;
  /** Mutating DML statements that may start against a table per window. */
  readonly dmlPerWindow: number;
  /** Partitions of a partitioned table that may be modified per window (a MERGE over N dates counts N). */
  readonly partitionModificationsPerWindow: number;
  readonly windowMs: number;
  /** Partition modifications of a column-partitioned table per day (quotaExceeded past it). */
  readonly partitionModificationsPerDay: number;
}

export const BIGQUERY_LIMITS: BigQueryLimits = {
  concurrentMutatingDml: 2,
  queuedMutatingDml: 20,
  dmlPerWindow: 25,
  partitionModificationsPerWindow: 50,
  windowMs: 10_000,
  partitionModificationsPerDay: 30_000,
};

/** Modelled job durations (milliseconds of Google Cloud time). */
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

/**
 * Seconds, as such jobs take on on-demand BigQuery: a parameterised SELECT over a few partitions is
 * about a second; the four-statement script about six, plus a tenth of a second per date it replaces.
 */
export const DEFAULT_JOB_LATENCIES: JobLatencies = {
  query: lognormalMs(1_000, 0.3, 10_000),
  merge: lognormalMs(6_000, 0.3, 60_000),
  mergePerDateMs: 100,
  rejected: fixedMs(500),
};
