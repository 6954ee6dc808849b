/** Which limit refused a job. */
export const LIMIT_NAMES = ['dml-queue', 'dml-rate', 'partition-rate', 'partition-daily'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export interface BigQueryErrorItem {
  readonly reason: 'rateLimitExceeded' | 'quotaExceeded';
  readonly message: string;
  readonly domain: 'global';
  readonly location?: string;
}

/**
 * The shape @google-cloud/common's ApiError has when a BigQuery job fails on a limit: HTTP `code`,
 * `errors[]` with the reason, and a message built from them. Only the shape: shared/errors/classify.ts
 * reads it structurally, as it reads the real one.
 */
export class SimulatedBigQueryError extends Error {
  override readonly name = 'ApiError';
  readonly code: number;
  readonly errors: readonly BigQueryErrorItem[];
  /** Not part of the real error: which limit of the model refused the job. */
  readonly limit: LimitName;

  constructor(limit: LimitName, item: BigQueryErrorItem, code = 403) {
    super(item.message);
    this.limit = limit;
    this.code = code;
    this.errors = [item];
  }
}

export function dmlQueueFull(table: string, queued: number): SimulatedBigQueryError {
  return new SimulatedBigQueryError('dml-queue', {
    reason: 'rateLimitExceeded', domain: 'global',
    message: `Resources exceeded during query execution: Too many DML statements outstanding against table ${table}, limit is ${queued}.`,
  }, 400);
}

export function dmlRateExceeded(table: string): SimulatedBigQueryError {
  return new SimulatedBigQueryError('dml-rate', {
    reason: 'rateLimitExceeded', domain: 'global', location: table,
    message: `Exceeded rate limits: too many table update operations for this table (${table}). For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas`,
  });
}

export function partitionRateExceeded(table: string): SimulatedBigQueryError {
  return new SimulatedBigQueryError('partition-rate', {
    reason: 'rateLimitExceeded', domain: 'global', location: table,
    message: `Exceeded rate limits: too many partition modifications to a partitioned table (${table}). For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas`,
  });
}

export function partitionDailyQuotaExceeded(table: string): SimulatedBigQueryError {
  return new SimulatedBigQueryError('partition-daily', {
    reason: 'quotaExceeded', domain: 'global', location: table,
    message: `Quota exceeded: Your table exceeded quota for Number of partition modifications to a column partitioned table (${table}). For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas`,
  });
}
