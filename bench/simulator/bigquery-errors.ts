import { common } from '@google-cloud/bigquery';

/** Which limit of the model refused a job. */
export const LIMIT_NAMES = ['dml-queue', 'dml-rate', 'partition-rate', 'partition-daily'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** One entry of a failed job's `status.errors`, as the BigQuery API returns it. */
export interface BigQueryErrorItem {
  readonly reason: 'rateLimitExceeded' | 'quotaExceeded';
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

export function partitionRateExceeded(table: string): Refusal {
  return {
    limit: 'partition-rate',
    error: jobRefused({
      reason: 'rateLimitExceeded', location: table,
      message: `Exceeded rate limits: too many partition modifications to a partitioned table (${table}). For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas`,
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
