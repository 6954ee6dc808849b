import { BigQuery } from '@google-cloud/bigquery';
import {
  DuckDBDateValue, DuckDBDecimalValue, DuckDBInstance, DuckDBListValue, DuckDBTimestampTZValue, DuckDBTimestampValue,
  DuckDBTypeId, type DuckDBConnection, type DuckDBType, type DuckDBValue,
} from '@duckdb/node-api';
import { bindValues } from '../../../adapters/duckdb/duckdb-values.js';
import { ensureSchema } from '../../../adapters/duckdb/schema.js';
import type { ParamType, ParamValue } from '../../../shared/sql/dialect.js';
import { splitStatements } from '../../support/bigquery-sql.js';
import { httpFailure } from './fixtures.js';
import { NotModelledError, QueryError, toDuckDb, tokenize, type Translation } from './googlesql-on-duckdb.js';

/**
 * A real @google-cloud/bigquery client whose network calls are answered here instead of by BigQuery: the
 * REST calls the client makes (jobs.insert, jobs.getQueryResults, jobs.get) reach `client.request`,
 * which this replaces. Everything above it is the real client: the adapter's query options become the
 * job resource the client would POST (queryParameters in wire form), and the rows come back as REST
 * cells that the client's own converter turns into BigQueryDate / BigQueryInt / Big / BigQueryTimestamp
 * values for the adapter to parse.
 *
 * Each job's GoogleSQL runs on an in-memory DuckDB holding the contract's tables (created by the DuckDB
 * adapter's ensureSchema), rewritten by googlesql-on-duckdb.ts. What is modelled, and from where:
 * - A request is a multi-statement query when it has several statements; they run "in a sequence, with
 *   shared state" (https://cloud.google.com/bigquery/docs/multi-statement-queries), temp tables included,
 *   and the first statement that fails fails the job with nothing after it run.
 * - The job's rows are those of its last statement: scriptOptions.keyResultStatement "Determines which
 *   statement in the script represents the 'key result', used to populate the schema and query results
 *   of the script job. Default is LAST." (https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#ScriptOptions).
 * - ASSERT: "If expression evaluates to FALSE or NULL, the statement generates an error. If AS
 *   description is present, description will appear in the error message."
 *   (https://cloud.google.com/bigquery/docs/reference/standard-sql/debugging-statements). The reason the
 *   error carries is not documented; the stub reports `invalidQuery`, the shape
 *   test/shared/errors/classify.test.ts classifies ("a failed ASSERT in a script").
 * - A statement the engine refuses (bad SQL, a value that does not convert) fails the job with reason
 *   invalidQuery, "This error returns when you attempt to run an invalid query"
 *   (https://cloud.google.com/bigquery/docs/error-messages), and the engine's message (DuckDB's words).
 * - useLegacySql must be false: its "default value is true"
 *   (https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationQuery), and the stub
 *   runs GoogleSQL only. A request the API would refuse (legacy SQL, bad labels, unnamed parameters) is
 *   an HTTP 400 `invalid`.
 * - Job labels: "Keys have a minimum length of 1 character and a maximum length of 63 characters ...
 *   Values can be empty, and have a maximum length of 63 characters. Keys and values can contain only
 *   lowercase letters, numeric characters, underscores, and dashes ... Keys must start with a lowercase
 *   letter", at most 64 (https://cloud.google.com/bigquery/docs/labels-intro#requirements; international
 *   characters, also allowed there, are refused here: the adapter never sends them).
 * - TIMESTAMP cells as int64 microseconds, the format the client asks for (formatOptions.useInt64Timestamp).
 *
 * Not modelled: concurrency (jobs run one at a time, so BigQuery's DML conflicts and queueing never
 * happen; bench/simulator models those limits), bytes processed (jobs.get reports no
 * totalBytesProcessed, so the adapter's bytesProcessed is undefined), pagination, jobs still running.
 */

export interface WireParameter {
  readonly name: string;
  readonly parameterType: { readonly type: string; readonly arrayType?: { readonly type: string } };
  readonly parameterValue: { readonly value?: unknown; readonly arrayValues?: ReadonlyArray<{ readonly value?: unknown }> };
}

/** The job resource the client POSTs to jobs.insert, as far as the stub reads it. */
export interface JobResource {
  readonly jobReference: { readonly projectId: string; readonly jobId: string; readonly location?: string };
  readonly configuration: {
    readonly query?: {
      readonly query: string;
      readonly useLegacySql?: boolean;
      readonly parameterMode?: string;
      readonly queryParameters?: readonly WireParameter[];
      readonly scriptOptions?: { readonly keyResultStatement?: string };
    };
    readonly labels?: Readonly<Record<string, string>>;
    readonly jobTimeoutMs?: string;
  };
}

export interface BigQueryOnDuckDb {
  readonly client: BigQuery;
  /** Every job resource the client sent, in order. */
  readonly jobs: JobResource[];
  close(): Promise<void>;
}

interface RequestOptions {
  readonly method?: string;
  readonly uri: string;
  readonly json?: unknown;
  readonly qs?: Readonly<Record<string, unknown>>;
}

type Callback = (error: Error | null, body?: unknown, response?: unknown) => void;

interface Result {
  readonly names: string[];
  readonly types: DuckDBType[];
  readonly rows: DuckDBValue[][];
}

interface FinishedJob {
  readonly resource: JobResource;
  readonly result?: Result;
  readonly error?: { readonly reason: string; readonly message: string };
}

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

export async function bigQueryOnDuckDb(options: {
  readonly projectId: string;
  readonly location: string;
  /** Data to put in the tables before the first job (e.g. raw tables loaded from CSV). */
  readonly seed?: (connection: DuckDBConnection) => Promise<void>;
}): Promise<BigQueryOnDuckDb> {
  const instance = await DuckDBInstance.create(':memory:');
  const setup = await instance.connect();
  try {
    await ensureSchema(setup);
    await options.seed?.(setup);
  } finally {
    setup.closeSync();
  }
  const client = new BigQuery({ projectId: options.projectId, location: options.location });
  const jobs: JobResource[] = [];
  const finished = new Map<string, FinishedJob>();
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };

  async function insert(resource: JobResource): Promise<unknown> {
    jobs.push(structuredClone(resource));
    const query = resource.configuration.query;
    if (!query) throw new NotModelledError('a job that is not a query');
    refuseInvalid(resource, options);
    const { values, types } = decodeParameters(query.queryParameters ?? []);
    const translation: Translation = { project: options.projectId, params: types };
    let job: FinishedJob;
    try {
      const result = await oneAtATime(() => runScript(instance, query.query, translation, values));
      job = { resource, ...(result ? { result } : {}) };
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      job = { resource, error: { reason: 'invalidQuery', message: error.message } };
    }
    finished.set(resource.jobReference.jobId, job);
    return jobMetadata(job, options);
  }

  function jobOf(id: string, location: unknown): FinishedJob {
    const job = finished.get(id);
    if (!job || (location !== undefined && location !== options.location)) {
      throw httpFailure(404, 'notFound', `Not found: Job ${options.projectId}:${String(location)}.${id}`);
    }
    return job;
  }

  async function handle(request: RequestOptions): Promise<unknown> {
    const path = request.uri.replace(/^\/+/, '').split('/');
    if (request.method === 'POST' && path.length === 1 && path[0] === 'jobs') return insert(request.json as JobResource);
    if (path[0] === 'queries' && path[1]) return queryResults(jobOf(path[1], request.qs?.location), request.qs ?? {}, options);
    if (path[0] === 'jobs' && path[1] && path.length === 2) return jobMetadata(jobOf(path[1], request.qs?.location ?? options.location), options);
    throw new NotModelledError(`the request ${request.method ?? 'GET'} ${request.uri}`);
  }

  // The one method every REST call of the client goes through (@google-cloud/common Service.request).
  (client as unknown as { request: (request: RequestOptions, callback: Callback) => void }).request = (request, callback) => {
    handle(request).then((body) => callback(null, body, {}), (error: Error) => callback(error));
  };

  return {
    client,
    jobs,
    close: async () => {
      await queue;
      instance.closeSync();
    },
  };
}

function refuseInvalid(resource: JobResource, options: { readonly projectId: string; readonly location: string }): void {
  const query = resource.configuration.query;
  const invalid = (message: string) => httpFailure(400, 'invalid', message);
  if (query?.useLegacySql !== false) throw invalid('the stub runs GoogleSQL only; set useLegacySql to false');
  // The API's enum is NAMED / POSITIONAL; the client sends it in lower case.
  if (query.queryParameters?.length && query.parameterMode?.toUpperCase() !== 'NAMED') throw invalid('parameterMode must be NAMED for @parameters');
  if ((query.scriptOptions?.keyResultStatement ?? 'LAST') !== 'LAST') throw new NotModelledError('a key result statement other than LAST');
  if (resource.jobReference.projectId !== options.projectId) throw invalid(`unknown project ${resource.jobReference.projectId}`);
  if (resource.jobReference.location !== options.location) throw invalid(`the datasets are in ${options.location}, the job asks for ${String(resource.jobReference.location)}`);
  const labels = Object.entries(resource.configuration.labels ?? {});
  if (labels.length > 64) throw invalid(`${labels.length} labels; at most 64`);
  for (const [key, value] of labels) {
    if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) throw invalid(`invalid label ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  }
}

const SCALAR_TYPES: Readonly<Record<string, ParamType>> = { DATE: 'DATE', STRING: 'STRING', TIMESTAMP: 'TIMESTAMP', INT64: 'INT64' };
const ARRAY_TYPES: Readonly<Record<string, ParamType>> = { DATE: 'ARRAY<DATE>', STRING: 'ARRAY<STRING>' };

function decodeParameters(parameters: readonly WireParameter[]): { values: Record<string, ParamValue>; types: Record<string, ParamType> } {
  const values: Record<string, ParamValue> = {};
  const types: Record<string, ParamType> = {};
  for (const { name, parameterType, parameterValue } of parameters) {
    const isArray = parameterType.type === 'ARRAY';
    const type = isArray ? ARRAY_TYPES[parameterType.arrayType?.type ?? ''] : SCALAR_TYPES[parameterType.type];
    if (!type) throw new NotModelledError(`a parameter of type ${JSON.stringify(parameterType)}`);
    types[name] = type;
    values[name] = isArray
      ? (parameterValue.arrayValues ?? []).map((item) => String(item.value))
      : (parameterValue.value ?? null) as ParamValue;
  }
  return { values, types };
}

async function runScript(instance: DuckDBInstance, sql: string, t: Translation, params: Record<string, ParamValue>): Promise<Result | undefined> {
  const connection = await instance.connect();
  try {
    let last: Result | undefined;
    for (const statement of splitStatements(sql)) last = await runStatement(connection, statement, t, params);
    return last;
  } finally {
    connection.closeSync();
  }
}

async function runStatement(connection: DuckDBConnection, statement: string, t: Translation, params: Record<string, ParamValue>): Promise<Result | undefined> {
  const kind = /^\s*(\w+)(?:\s+(\w+))?(?:\s+(\w+))?/.exec(statement) ?? [];
  const first = (kind[1] ?? '').toUpperCase();
  if (first === 'SELECT' || first === 'WITH') return read(connection, toDuckDb(statement, t), params);
  if (first === 'CREATE' && /^TEMP(ORARY)?$/i.test(kind[2] ?? '') && /^TABLE$/i.test(kind[3] ?? '')) {
    await read(connection, toDuckDb(statement, t), params);
    return undefined;
  }
  if (first === 'MERGE') {
    // GoogleSQL's INTO is optional; DuckDB's is not.
    const merge = /^\s*MERGE\s+INTO\b/i.test(statement) ? statement : statement.replace(/^\s*MERGE\b/i, 'MERGE INTO');
    await read(connection, toDuckDb(merge, t), params);
    return undefined;
  }
  if (first === 'ASSERT') {
    const assertion = /^\s*ASSERT\s+([\s\S]+?)(?:\s+AS\s+('(?:[^'\\]|\\.)*'))?\s*$/i.exec(statement);
    if (!assertion?.[1]) throw new QueryError(`Syntax error in ${statement}`);
    const { rows } = await read(connection, `SELECT (${toDuckDb(assertion[1], t)}) AS holds`, params);
    if (rows[0]?.[0] !== true) throw new QueryError(assertion[2] ? tokenize(assertion[2])[0]?.value ?? '' : 'Assertion failed');
    return undefined;
  }
  throw new NotModelledError(`a ${first} statement`);
}

async function read(connection: DuckDBConnection, sql: string, params: Record<string, ParamValue>): Promise<Result> {
  try {
    const reader = await connection.runAndReadAll(sql, bindValues(sql, params));
    return { names: reader.columnNames(), types: reader.columnTypes(), rows: reader.getRows() };
  } catch (error) {
    throw new QueryError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

// --- REST responses --------------------------------------------------------------------------------------

function jobMetadata(job: FinishedJob, options: { readonly projectId: string; readonly location: string }): unknown {
  const { jobReference, configuration } = job.resource;
  const status = job.error
    ? { state: 'DONE', errorResult: { ...job.error, location: 'query' }, errors: [{ ...job.error, location: 'query' }] }
    : { state: 'DONE' };
  return {
    kind: 'bigquery#job',
    id: `${options.projectId}:${options.location}.${jobReference.jobId}`,
    jobReference: { ...jobReference, location: options.location },
    configuration,
    status,
    statistics: {},
  };
}

function queryResults(job: FinishedJob, qs: Readonly<Record<string, unknown>>, options: { readonly location: string }): unknown {
  if (job.error) throw httpFailure(400, job.error.reason, job.error.message);
  if (qs['formatOptions.useInt64Timestamp'] !== true) throw new NotModelledError('TIMESTAMP cells other than int64 microseconds');
  const base = { kind: 'bigquery#getQueryResultsResponse', jobReference: { ...job.resource.jobReference, location: options.location }, jobComplete: true };
  const result = job.result;
  if (!result) return { ...base, totalRows: '0' };
  return {
    ...base,
    schema: { fields: result.names.map((name, i) => ({ name, ...fieldType(result.types[i]) })) },
    rows: result.rows.map((row) => ({ f: row.map((value) => ({ v: cell(value) })) })),
    totalRows: String(result.rows.length),
  };
}

/** A DuckDB column type as the REST schema names the BigQuery type of a query's column. */
function fieldType(type: DuckDBType | undefined): { type: string; mode: 'NULLABLE' | 'REPEATED' } {
  switch (type?.typeId) {
    case DuckDBTypeId.BOOLEAN: return { type: 'BOOLEAN', mode: 'NULLABLE' };
    case DuckDBTypeId.TINYINT: case DuckDBTypeId.SMALLINT: case DuckDBTypeId.INTEGER: case DuckDBTypeId.BIGINT: case DuckDBTypeId.HUGEINT:
      return { type: 'INTEGER', mode: 'NULLABLE' };
    case DuckDBTypeId.FLOAT: case DuckDBTypeId.DOUBLE: return { type: 'FLOAT', mode: 'NULLABLE' };
    case DuckDBTypeId.DECIMAL: return { type: 'NUMERIC', mode: 'NULLABLE' };
    case DuckDBTypeId.VARCHAR: return { type: 'STRING', mode: 'NULLABLE' };
    case DuckDBTypeId.DATE: return { type: 'DATE', mode: 'NULLABLE' };
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_TZ: return { type: 'TIMESTAMP', mode: 'NULLABLE' };
    case DuckDBTypeId.LIST: return { type: fieldType(type.valueType).type, mode: 'REPEATED' };
    default: throw new NotModelledError(`a result column of DuckDB type ${String(type)}`);
  }
}

/** A value as a REST cell: text for scalars, `[{ v }]` for arrays, null for NULL. */
function cell(value: DuckDBValue): unknown {
  if (value === null) return null;
  if (value instanceof DuckDBListValue) return value.items.map((item) => ({ v: cell(item) }));
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) return String(value.micros);
  if (value instanceof DuckDBDateValue || value instanceof DuckDBDecimalValue) return value.toString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new NotModelledError(`a result value ${String(value)}`);
}
