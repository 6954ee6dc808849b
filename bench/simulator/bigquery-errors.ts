import { common } from '@google-cloud/bigquery';

/** Which limit of the model refused a job. */
export const LIMIT_NAMES = ['dml-queue', 'dml-rate', 'table-rate', 'job-partitions', 'partition-daily'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** One entry of a failed job's `status.errors`, as the BigQuery API returns it. */
export interface BigQueryErrorItem {
  readonly reason: 'rateLimitExceeded' | 'quotaExceeded' | 'invalidQuery';
  readonly message: string;
  readonly location?: string;
}

/**
 * A job refused by a limit, as @google-cloud/bigquery raises it: the job is created, ends DONE with an
 * `errorResult`, and `Job.getQueryResults` (its poll) throws `new common.util.ApiError(metadata.status)`.
 * So the error is the client's own ApiError class, with `errors` holding the reason and no HTTP `code`.
 * Nothing marks it as simulated: the core classifies it exactly as it would the real one.
 */
export function jobRefused(item: BigQueryErrorItem): Error {
  const errorResult = { ...item };
  // The typings of ApiError describe an HTTP error body; the job-status path passes the job's status.
  return new common.util.ApiError({ state: 'DONE', errorResult, errors: [errorResult] } as never);
}

/** The limit a refusal stands for, and the error the client raises for it. */
export interface Refusal {
  readonly limit: LimitName;
  readonly error: Error;
}

export function dmlQueueFull(table: string, queued: number): Refusal {
  return {
    limit: 'dml-queue',
    error: jobRefused({
      reason: 'rateLimitExceeded', location: table,
      message: `Resources exceeded during query execution: Too many DML statements outstanding against table ${table}, limit is ${queued}.`,
    }),
  };
}

export function dmlRateExceeded(table: string): Refusal {
  return {
    limit: 'dml-rate',
    error: jobRefused({
      reason: 'rateLimitExceeded', location: table,
      message: `Exceeded rate limits: too many table update operations for this table. For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas`,
    }),
  };
}

/**
 * Past 50 modifications per 10 s of a partitioned table. The message is the one the quotas page quotes:
 * "If you exceed this limit, you get an error message like `Exceeded rate limits: too many partitioned
 * table update operations for this table`. This error is transient; you can retry with an exponential
 * backoff." (https://docs.cloud.google.com/bigquery/quotas, "Partitioned tables")
 */
export function tableRateExceeded(table: string): Refusal {
  return {
    limit: 'table-rate',
    error: jobRefused({
      reason: 'rateLimitExceeded', location: table,
      message: `Exceeded rate limits: too many partitioned table update operations for this table. For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas`,
    }),
  };
}

/**
 * A job over more than 4,000 partitions: "BigQuery rejects any query or load job that attempts to modify
 * more than 4,000 partitions" (https://docs.cloud.google.com/bigquery/quotas, "Partitioned tables"). The
 * page gives no message; this one and its reason (`invalidQuery`, not a quota reason: retrying the same
 * job cannot succeed, splitting it can) are as users report the error, not documented.
 */
export function tooManyPartitions(table: string, allowed: number, partitions: number): Refusal {
  return {
    limit: 'job-partitions',
    error: jobRefused({
      reason: 'invalidQuery', location: table,
      message: `Too many partitions produced by query, allowed ${allowed}, query produces at least ${partitions} partitions`,
    }),
  };
}

export function partitionDailyQuotaExceeded(table: string): Refusal {
  return {
    limit: 'partition-daily',
    error: jobRefused({
      reason: 'quotaExceeded', location: table,
      message: `Quota exceeded: Your table exceeded quota for Number of partition modifications to a column partitioned table. For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas`,
    }),
  };
}
