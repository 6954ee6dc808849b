import assert from 'node:assert/strict';
import { common } from '@google-cloud/bigquery';
import { z } from 'zod';
import { classifyError, toServiceError } from '../../../shared/errors/classify.js';
import { PermanentError, QuotaError, ReadBackMismatchError, TransientError, type ErrorKind } from '../../../shared/errors/errors.js';

/** The real ApiError class; its typings insist on an HTTP `response`, which the job-status path never has. */
function apiError(body: Record<string, unknown>): Error {
  return new common.util.ApiError(body as never);
}

/** What @google-cloud/common throws for a failed REST call: HTTP status in `code`, BigQuery reasons in `errors`. */
function bigQueryHttpError(code: number, reason: string, message: string): Error {
  return apiError({ code, message, errors: [{ domain: 'global', reason, message }] });
}

/** What @google-cloud/bigquery's Job throws when the job finished with an errorResult: the job status, no code. */
function bigQueryJobError(reason: string, message: string, extra: Array<{ reason: string; message: string }> = []): Error {
  const errorResult = { reason, message, location: 'query' };
  return apiError({ state: 'DONE', errorResult, errors: [errorResult, ...extra] });
}

const GRPC_NAMES: Record<number, string> = {
  1: 'CANCELLED', 2: 'UNKNOWN', 3: 'INVALID_ARGUMENT', 4: 'DEADLINE_EXCEEDED', 5: 'NOT_FOUND', 6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED', 8: 'RESOURCE_EXHAUSTED', 9: 'FAILED_PRECONDITION', 10: 'ABORTED', 13: 'INTERNAL',
  14: 'UNAVAILABLE', 16: 'UNAUTHENTICATED',
};

/** What @grpc/grpc-js callErrorFromStatus builds, and google-gax passes on as a GoogleError, for Firestore and Pub/Sub. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${GRPC_NAMES[code]}: ${details}`), { code, details, metadata: { internalRepr: new Map() } });
}

/** What Node's net/dns layers throw, and gaxios passes on. */
function networkError(code: string, syscall: string): Error {
  return Object.assign(new Error(`${syscall} ${code}`), { code, errno: -1, syscall });
}

function zodError(): unknown {
  try {
    z.object({ table: z.string() }).parse({ table: 7 });
  } catch (error) {
    return error;
  }
  throw new Error('zod accepted a bad message');
}

const cases: Array<[string, () => unknown, ErrorKind]> = [
  // BigQuery, REST errors
  ['a BigQuery 403 rateLimitExceeded on jobs.insert', () => bigQueryHttpError(403, 'rateLimitExceeded', 'Exceeded rate limits: too many api requests per user per method for this user_method.'), 'quota'],
  ['a BigQuery 403 quotaExceeded', () => bigQueryHttpError(403, 'quotaExceeded', 'Quota exceeded: Your project exceeded quota for concurrent queries.'), 'quota'],
  ['a BigQuery 429 without reasons', () => apiError({ code: 429, message: 'Too Many Requests' }), 'quota'],
  ['a BigQuery 500 backendError', () => bigQueryHttpError(500, 'backendError', 'Backend error. Job aborted.'), 'transient'],
  ['a BigQuery 503 without reasons', () => apiError({ code: 503, message: 'Service Unavailable' }), 'transient'],
  ['a BigQuery 400 invalidQuery', () => bigQueryHttpError(400, 'invalidQuery', 'Syntax error: Unexpected identifier "SELEC" at [1:1]'), 'permanent'],
  ['a BigQuery 400 invalid', () => bigQueryHttpError(400, 'invalid', 'Cannot query over table without a filter over column(s) game_date'), 'permanent'],
  ['a BigQuery 404 notFound', () => bigQueryHttpError(404, 'notFound', 'Not found: Table proj:nba_analytics.player_game_summary was not found in location US'), 'permanent'],
  ['a BigQuery 403 accessDenied', () => bigQueryHttpError(403, 'accessDenied', 'Access Denied: Table proj:nba_raw.nbac_schedule: User does not have permission'), 'permanent'],
  ['a BigQuery 409 duplicate', () => bigQueryHttpError(409, 'duplicate', 'Already Exists: Table proj:nba_analytics.player_game_summary'), 'permanent'],
  // BigQuery, failed jobs
  ['a failed job with jobRateLimitExceeded', () => bigQueryJobError('jobRateLimitExceeded', 'Exceeded rate limits: too many concurrent queries for this project_and_region.'), 'quota'],
  ['a failed job that hit the table update rate limit', () => bigQueryJobError('rateLimitExceeded', 'Exceeded rate limits: too many table update operations for this table.'), 'quota'],
  ['a failed job with a full DML queue (reported as resourcesExceeded)', () => bigQueryJobError('resourcesExceeded', 'Resources exceeded during query execution: Too many DML statements outstanding against table proj:nba_analytics.player_game_summary, limit is 20.'), 'quota'],
  ['a failed job with a DML serialization conflict (reported as invalidQuery)', () => bigQueryJobError('invalidQuery', 'Could not serialize access to table proj:nba_analytics.player_game_summary due to concurrent update'), 'transient'],
  ['a failed job whose transaction was aborted by a concurrent update', () => bigQueryJobError('invalidQuery', 'Transaction is aborted due to concurrent update against table proj:nba_analytics.team_offense_game_summary.'), 'transient'],
  ['a failed job with internalError', () => bigQueryJobError('internalError', 'An internal error occurred and the request could not be completed.'), 'transient'],
  ['a failed job with invalidQuery and a stopped follower', () => bigQueryJobError('invalidQuery', 'Unrecognized name: pointz at [3:5]', [{ reason: 'stopped', message: 'Job stopped' }]), 'permanent'],
  // A job stopped by BigQuery at its jobTimeoutMs: the job status (Job.poll_ builds ApiError(metadata.status))
  // and jobs.getQueryResults on the stopped job (HTTP 499 CANCELLED with the job's error), both transient.
  ['a job stopped at its jobTimeoutMs, read from the job status', () => bigQueryJobError('stopped', 'Job execution was cancelled: Job timed out after 480 sec'), 'transient'],
  ['a job stopped at its jobTimeoutMs, read through getQueryResults (HTTP 499)', () => bigQueryHttpError(499, 'stopped', 'Job execution was cancelled: Job timed out after 480 sec'), 'transient'],
  ['a job cancelled by a person (HTTP 499, stopped)', () => bigQueryHttpError(499, 'stopped', 'Job execution was cancelled: User requested cancellation'), 'transient'],
  ['a job that timed out (reason timeout, HTTP 400)', () => bigQueryHttpError(400, 'timeout', 'Query exceeded the maximum execution time.'), 'transient'],
  ['a failed job with responseTooLarge', () => bigQueryJobError('responseTooLarge', 'Response too large to return.'), 'permanent'],
  ['a failed job with resourcesExceeded from a query too big to plan', () => bigQueryJobError('resourcesExceeded', 'Resources exceeded during query execution: Not enough resources for query planning - too many subqueries.'), 'permanent'],
  ['a failed ASSERT in a script', () => bigQueryJobError('invalidQuery', 'replacePartitions: the select produced rows outside the dates being replaced at [3:1]'), 'permanent'],
  // gRPC: Firestore and Pub/Sub
  ['a gRPC ABORTED from a contended Firestore transaction', () => grpcError(10, 'Too much contention on these documents. Please try again.'), 'transient'],
  ['a gRPC DEADLINE_EXCEEDED', () => grpcError(4, 'Deadline exceeded'), 'transient'],
  ['a gRPC UNAVAILABLE', () => grpcError(14, 'The service is currently unavailable.'), 'transient'],
  ['a gRPC INTERNAL', () => grpcError(13, 'Received RST_STREAM with code 2'), 'transient'],
  ['a gRPC CANCELLED', () => grpcError(1, 'Call cancelled'), 'transient'],
  ['a gRPC UNKNOWN', () => grpcError(2, 'Stream removed'), 'transient'],
  ['a gRPC RESOURCE_EXHAUSTED', () => grpcError(8, 'Request throttled at the backend.'), 'quota'],
  ['a gRPC INVALID_ARGUMENT', () => grpcError(3, 'Value for argument "documentPath" is not a valid resource path.'), 'permanent'],
  ['a gRPC NOT_FOUND', () => grpcError(5, 'Resource not found (resource=chunk-topic).'), 'permanent'],
  ['a gRPC PERMISSION_DENIED', () => grpcError(7, 'Missing or insufficient permissions.'), 'permanent'],
  ['a gRPC FAILED_PRECONDITION', () => grpcError(9, 'The query requires an index.'), 'permanent'],
  ['a gRPC ALREADY_EXISTS', () => grpcError(6, 'Document already exists: projects/p/databases/(default)/documents/chunks/x'), 'permanent'],
  ['a gRPC UNAUTHENTICATED', () => grpcError(16, 'Request had invalid authentication credentials.'), 'permanent'],
  // Network
  ['a reset connection', () => networkError('ECONNRESET', 'read'), 'transient'],
  ['a connect timeout', () => networkError('ETIMEDOUT', 'connect'), 'transient'],
  ['a refused connection', () => networkError('ECONNREFUSED', 'connect'), 'transient'],
  ['a temporary DNS failure', () => networkError('EAI_AGAIN', 'getaddrinfo'), 'transient'],
  ['a gaxios error carrying an HTTP 503', () => Object.assign(new Error('Service Unavailable'), { name: 'GaxiosError', status: 503, response: { status: 503 } }), 'transient'],
  ['a gaxios error carrying an HTTP 400', () => Object.assign(new Error('Bad Request'), { name: 'GaxiosError', status: 400, response: { status: 400 } }), 'permanent'],
  ['an aborted request', () => Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }), 'transient'],
  // Ours, zod, DuckDB, JavaScript
  ['our PermanentError', () => new PermanentError('unknown table'), 'permanent'],
  ['our TransientError', () => new TransientError('lease lost'), 'transient'],
  ['our QuotaError', () => new QuotaError('slow down'), 'quota'],
  ['our ReadBackMismatchError', () => new ReadBackMismatchError('found 3 rows, wrote 4'), 'transient'],
  ['a zod validation error', zodError, 'permanent'],
  ['a DuckDB write-write conflict', () => new Error('TransactionContext Error: Conflict on tuple deletion!'), 'transient'],
  ['a DuckDB catalog conflict', () => new Error('TransactionContext Error: Catalog write-write conflict on create with "player_game_summary"'), 'transient'],
  ['a DuckDB binder error', () => new Error('Binder Error: Referenced column "pointz" not found in FROM clause!'), 'permanent'],
  ['a TypeError from our own code', () => new TypeError("Cannot read properties of undefined (reading 'gameDate')"), 'permanent'],
  ['a fetch failure whose cause is a reset socket', () => new TypeError('fetch failed', { cause: networkError('ECONNRESET', 'read') }), 'transient'],
  ['an unrecognised error', () => new Error('something odd happened'), 'transient'],
  ['a thrown string', () => 'boom', 'transient'],
  // Wrapping
  ['an error whose cause is a BigQuery rate limit', () => new Error('write failed', { cause: bigQueryJobError('rateLimitExceeded', 'Exceeded rate limits') }), 'quota'],
  ['an error whose cause is a gRPC INVALID_ARGUMENT', () => new Error('ledger write failed', { cause: grpcError(3, 'bad path') }), 'permanent'],
];

describe('classifyError', () => {
  for (const [description, make, kind] of cases) {
    it(`classifies ${description} as ${kind}`, () => {
      assert.equal(classifyError(make()), kind);
    });
  }

  it('lets a message that names DML contention win over a permanent-looking reason', () => {
    const conflict = bigQueryHttpError(400, 'invalidQuery', 'Could not serialize access to table p:d.t due to concurrent update');
    const plain = bigQueryHttpError(400, 'invalidQuery', 'Unrecognized name: x');
    assert.deepEqual([classifyError(conflict), classifyError(plain)], ['transient', 'permanent']);
  });

  it('stops following causes after a few levels instead of looping on a cycle', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    assert.equal(classifyError(a), 'transient');
  });
});

describe('toServiceError', () => {
  it('wraps a BigQuery rate limit in a QuotaError that keeps the original as cause', () => {
    const original = bigQueryJobError('rateLimitExceeded', 'Exceeded rate limits: too many table update operations for this table.');
    const wrapped = toServiceError(original, 'BigQuery job replace_player_game_summary');
    assert.ok(wrapped instanceof QuotaError);
    assert.equal(wrapped.name, 'QuotaError');
    assert.equal(wrapped.cause, original);
    assert.match(wrapped.message, /^BigQuery job replace_player_game_summary: \[rateLimitExceeded\] Exceeded rate limits/);
  });

  it('wraps a backend error in a TransientError and a bad query in a PermanentError', () => {
    assert.ok(toServiceError(bigQueryJobError('backendError', 'Backend error')) instanceof TransientError);
    assert.ok(toServiceError(bigQueryJobError('invalidQuery', 'Syntax error')) instanceof PermanentError);
  });

  it('returns our own errors unchanged', () => {
    const own = new ReadBackMismatchError('found 3 rows, wrote 4');
    assert.equal(toServiceError(own), own);
  });

  it('describes a thrown non-error by its string form', () => {
    const wrapped = toServiceError('boom');
    assert.ok(wrapped instanceof TransientError);
    assert.equal(wrapped.message, 'boom');
    assert.equal(wrapped.cause, 'boom');
  });

  it('tags a gRPC error with its code when the message does not already carry it', () => {
    const wrapped = toServiceError(Object.assign(new Error('contention'), { code: 10 }));
    assert.equal(wrapped.message, '[10] contention');
    assert.ok(wrapped instanceof TransientError);
  });
});
