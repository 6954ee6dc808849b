import { PermanentError, QuotaError, TransientError, type ErrorKind } from './errors.js';

/**
 * Which failures are worth retrying, decided in one place for every engine the service talks to.
 * Pure: the shapes below are matched structurally, so no client library is imported here.
 *
 * Order of the checks, most specific first:
 *  1. our own PermanentError / TransientError / QuotaError (their `kind` wins);
 *  2. input that failed validation (zod) and programming errors (TypeError, ...): permanent, unless a
 *     TypeError wraps a network error as its cause (that is how fetch reports a reset socket);
 *  3. message patterns: BigQuery reports DML queueing and serialization conflicts under generic reasons
 *     ("Too many DML statements outstanding" is `resourcesExceeded`, a conflict may be `invalidQuery`),
 *     so the text is more precise than the reason; DuckDB has no codes, only its message prefixes;
 *  4. BigQuery `errors[].reason`;
 *  5. gRPC status codes (Firestore, Pub/Sub) and HTTP status codes;
 *  6. Node network error codes;
 *  7. the `cause` chain, for errors that wrap one of the above;
 *  8. anything else is transient: a retry is bounded by maxAttempts, a wrong "permanent" loses the work.
 */

/** BigQuery `errors[].reason` values, one list per kind (https://cloud.google.com/bigquery/docs/error-messages). */
export const BIGQUERY_QUOTA_REASONS: readonly string[] = ['rateLimitExceeded', 'quotaExceeded', 'jobRateLimitExceeded'];
export const BIGQUERY_TRANSIENT_REASONS: readonly string[] = [
  'backendError', 'internalError', 'jobBackendError', 'jobInternalError', 'tableUnavailable', 'timeout',
];
export const BIGQUERY_PERMANENT_REASONS: readonly string[] = [
  'invalidQuery', 'invalid', 'notFound', 'accessDenied', 'duplicate', 'responseTooLarge', 'resourcesExceeded',
  'billingNotEnabled', 'billingTierLimitExceeded', 'blocked', 'notImplemented', 'invalidUser', 'required',
];
/**
 * `stopped` marks a job or statement that was cancelled: beside another reason it is a follower of the
 * statement that failed and says nothing about the cause. Alone, the job itself was stopped: by a
 * jobs.cancel, or by BigQuery when it ran past the job's jobTimeoutMs ("If this time limit is exceeded,
 * BigQuery attempts to stop the job", JobConfiguration.jobTimeoutMs,
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfiguration). Such a job is worth
 * running again later (the timeout is set below the chunk lease, see adapters/bigquery), so `stopped`
 * alone is transient: see TRANSIENT_MESSAGES and HTTP 499 below for the shapes it arrives in.
 */
const BIGQUERY_SECONDARY_REASONS: readonly string[] = ['stopped'];

/** gRPC status codes (google-gax `Status`), as Firestore and Pub/Sub report them. */
export const GRPC = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
} as const;
/** Like nodejs-pubsub's RETRY_CODES, with RESOURCE_EXHAUSTED counted as quota rather than failure. */
export const GRPC_QUOTA_CODES: readonly number[] = [GRPC.RESOURCE_EXHAUSTED];
export const GRPC_TRANSIENT_CODES: readonly number[] = [
  GRPC.CANCELLED, GRPC.UNKNOWN, GRPC.DEADLINE_EXCEEDED, GRPC.ABORTED, GRPC.INTERNAL, GRPC.UNAVAILABLE,
];
export const GRPC_PERMANENT_CODES: readonly number[] = [
  GRPC.INVALID_ARGUMENT, GRPC.NOT_FOUND, GRPC.ALREADY_EXISTS, GRPC.PERMISSION_DENIED, GRPC.FAILED_PRECONDITION,
  GRPC.OUT_OF_RANGE, GRPC.UNIMPLEMENTED, GRPC.DATA_LOSS, GRPC.UNAUTHENTICATED,
];

/**
 * HTTP status codes (BigQuery REST via @google-cloud/common ApiError, gaxios). 499 is CANCELLED in
 * Google's mapping of google.rpc.Code ("CANCELLED: The operation was cancelled, typically by the caller.
 * HTTP Mapping: 499 Client Closed Request", https://cloud.google.com/video-intelligence/docs/reference/rest/Shared.Types/Code),
 * the same CANCELLED the gRPC list treats as transient: jobs.getQueryResults answers it for a job
 * stopped at its jobTimeoutMs.
 */
export const HTTP_QUOTA_CODES: readonly number[] = [429];
export const HTTP_TRANSIENT_CODES: readonly number[] = [408, 499, 500, 502, 503, 504];
// Any other 4xx is permanent; see httpKind.

/** Node and undici network error codes. */
export const NETWORK_TRANSIENT_CODES: readonly string[] = [
  'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EAI_AGAIN', 'EPIPE', 'ENOTFOUND', 'ECONNABORTED', 'EHOSTUNREACH',
  'ENETUNREACH', 'ENETDOWN', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
];

/** Messages whose meaning is clearer than their reason or code. */
export const QUOTA_MESSAGES: readonly RegExp[] = [
  /too many DML statements outstanding against table/i,
  /exceeded rate limits/i,
  /quota exceeded/i,
];
export const TRANSIENT_MESSAGES: readonly RegExp[] = [
  // A job BigQuery stopped at its jobTimeoutMs: errorResult {reason: 'stopped', message: 'Job execution
  // was cancelled: Job timed out after 540 sec'} (the shape googleapis/python-bigquery-pandas#492 turns
  // into its QueryTimeout); it reaches us through the job status, or as an HTTP 499 from getQueryResults.
  /Job execution was cancelled: Job timed out after/i,
  /could not serialize access to table .* due to concurrent update/i,
  /transaction is aborted due to concurrent update/i,
  /DML statement has been queued for too long/i,
  // DuckDB: two writers touched the same rows or catalog entry.
  /TransactionContext Error:.*conflict/i,
];
/** DuckDB's errors name their class first; these say the query or its data is wrong, not the moment. */
export const PERMANENT_MESSAGES: readonly RegExp[] = [
  /^(Parser|Binder|Catalog|Conversion|Constraint|Invalid Input|Not implemented|Out of Range|Mismatch Type|Invalid Type) Error:/,
];

/** JavaScript errors that mean our own code is wrong: retrying runs the same bug again. */
const PROGRAMMING_ERRORS: readonly string[] = ['TypeError', 'ReferenceError', 'SyntaxError', 'RangeError'];
/** Timeouts raised by AbortSignal.timeout() and aborted fetches. */
const ABORT_ERRORS: readonly string[] = ['AbortError', 'TimeoutError'];

const MAX_CAUSE_DEPTH = 5;

export function classifyError(error: unknown): ErrorKind {
  return classify(error, 0) ?? 'transient';
}

/**
 * The error as one of our three classes, so callers can `instanceof` it and the processor sees a kind.
 * Our own errors are returned unchanged; anything else is wrapped with the original as `cause`.
 */
export function toServiceError(error: unknown, context?: string): PermanentError | TransientError | QuotaError {
  if (error instanceof PermanentError || error instanceof TransientError || error instanceof QuotaError) return error;
  const message = context ? `${context}: ${describe(error)}` : describe(error);
  switch (classifyError(error)) {
    case 'permanent': return new PermanentError(message, { cause: error });
    case 'quota': return new QuotaError(message, { cause: error });
    case 'transient': return new TransientError(message, { cause: error });
  }
}

function classify(error: unknown, depth: number): ErrorKind | undefined {
  if (error instanceof PermanentError || error instanceof TransientError || error instanceof QuotaError) return error.kind;
  if (!isObject(error)) return undefined;
  const name = typeof error.name === 'string' ? error.name : '';
  if (name === 'ZodError' || name === '$ZodError') return 'permanent';
  if (PROGRAMMING_ERRORS.includes(name)) {
    // Except fetch's network failures: TypeError('fetch failed') with the socket error as cause.
    const cause = 'cause' in error && depth < MAX_CAUSE_DEPTH ? classify(error.cause, depth + 1) : undefined;
    return cause ?? 'permanent';
  }
  if (ABORT_ERRORS.includes(name)) return 'transient';

  const kind = messageKind(messagesOf(error))
    ?? reasonKind(reasonsOf(error))
    ?? codeKind(error.code)
    ?? httpKind(error.status)
    ?? httpKind(isObject(error.response) ? error.response.status : undefined);
  if (kind) return kind;
  if ('cause' in error && depth < MAX_CAUSE_DEPTH) return classify(error.cause, depth + 1);
  return undefined;
}

function messageKind(messages: readonly string[]): ErrorKind | undefined {
  if (messages.some((m) => QUOTA_MESSAGES.some((re) => re.test(m)))) return 'quota';
  if (messages.some((m) => TRANSIENT_MESSAGES.some((re) => re.test(m)))) return 'transient';
  if (messages.some((m) => PERMANENT_MESSAGES.some((re) => re.test(m)))) return 'permanent';
  return undefined;
}

/** When reasons disagree, the one that allows a retry wins: retries are bounded, lost work is not. */
function reasonKind(reasons: readonly string[]): ErrorKind | undefined {
  const primary = reasons.filter((r) => !BIGQUERY_SECONDARY_REASONS.includes(r));
  if (primary.some((r) => BIGQUERY_QUOTA_REASONS.includes(r))) return 'quota';
  if (primary.some((r) => BIGQUERY_TRANSIENT_REASONS.includes(r))) return 'transient';
  if (primary.some((r) => BIGQUERY_PERMANENT_REASONS.includes(r))) return 'permanent';
  return undefined;
}

function codeKind(code: unknown): ErrorKind | undefined {
  if (typeof code === 'string') {
    if (NETWORK_TRANSIENT_CODES.includes(code)) return 'transient';
    // gaxios puts the HTTP status in `code` as a string ('429', '503').
    return /^\d{3}$/.test(code) ? httpKind(Number(code)) : undefined;
  }
  if (typeof code !== 'number') return undefined;
  // gRPC codes are 0..16; HTTP statuses start at 100.
  if (code < 100) {
    if (GRPC_QUOTA_CODES.includes(code)) return 'quota';
    if (GRPC_TRANSIENT_CODES.includes(code)) return 'transient';
    if (GRPC_PERMANENT_CODES.includes(code)) return 'permanent';
    return undefined;
  }
  return httpKind(code);
}

function httpKind(status: unknown): ErrorKind | undefined {
  if (typeof status !== 'number') return undefined;
  if (HTTP_QUOTA_CODES.includes(status)) return 'quota';
  if (HTTP_TRANSIENT_CODES.includes(status) || status >= 500) return 'transient';
  if (status >= 400) return 'permanent';
  return undefined;
}

/**
 * BigQuery reasons, wherever the client put them: ApiError `errors` (HTTP errors and failed jobs alike,
 * @google-cloud/common builds both), a job's `errorResult` / `status.errors`, or google-gax's `reason`.
 */
function reasonsOf(error: Record<string, unknown>): string[] {
  const reasons: string[] = [];
  const collect = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const item of list) if (isObject(item) && typeof item.reason === 'string') reasons.push(item.reason);
  };
  collect(error.errors);
  if (isObject(error.errorResult) && typeof error.errorResult.reason === 'string') reasons.push(error.errorResult.reason);
  if (isObject(error.status)) {
    collect(error.status.errors);
    if (isObject(error.status.errorResult) && typeof error.status.errorResult.reason === 'string') {
      reasons.push(error.status.errorResult.reason);
    }
  }
  if (typeof error.reason === 'string') reasons.push(error.reason);
  return reasons;
}

function messagesOf(error: Record<string, unknown>): string[] {
  const messages: string[] = [];
  if (typeof error.message === 'string') messages.push(error.message);
  if (typeof error.details === 'string') messages.push(error.details);
  if (Array.isArray(error.errors)) {
    for (const item of error.errors) if (isObject(item) && typeof item.message === 'string') messages.push(item.message);
  }
  return messages;
}

function describe(error: unknown): string {
  if (!isObject(error)) return String(error);
  const reasons = reasonsOf(error);
  const message = typeof error.message === 'string' && error.message ? error.message : json(error);
  const tag = reasons[0] ?? (typeof error.code === 'string' || typeof error.code === 'number' ? String(error.code) : undefined);
  return tag && !message.includes(tag) ? `[${tag}] ${message}` : message;
}

function json(value: object): string {
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
