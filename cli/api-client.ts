import type { HistoryEntry } from '../shared/alerts/history.js';
import { GoogleAuth } from 'google-auth-library';
import type { RunProgressView } from '../shared/api/progress-view.js';
import type { BackfillRequest } from '../shared/planning/backfill-request.js';
import type { RunRecord } from '../shared/ports/ledger.js';
import { ANALYTICS_TABLES, type AnalyticsTableName, type RunMode } from '../shared/tables/names.js';
import type { IsoDate } from '../shared/util/dates.js';
import { parseReportJson } from '../shared/verify/render-json.js';
import type { VerificationReport } from '../shared/verify/report-schema.js';
import { UsageError } from './usage-error.js';

/**
 * The backfill API (functions/backfill-api.ts) over HTTP, for `backfill run|status|verify --api URL`:
 * the local stack (`npm run dev`, plain http) or the deployed function (https, private: each call
 * carries a Google ID token whose audience is the URL).
 *
 * What the person can fix (a bad or unreachable URL, a refused token, a request the API rejects) is a
 * UsageError (exit 2); anything else the API answers is an ApiError.
 */
export interface ApiClient {
  readonly baseUrl: string;
  startBackfill(request: BackfillRequest): Promise<StartedBackfill>;
  retry(runId: string): Promise<{ run: RunRecord; retried: number }>;
  /** null when the API knows no such run. */
  progress(runId: string): Promise<RunProgressView | null>;
  listRuns(limit: number): Promise<RunRecord[]>;
  verify(scope: VerifyScope): Promise<VerificationReport>;
  /** The latest recorded verifications, newest first; null when the API keeps no history. */
  verifications(limit: number): Promise<HistoryEntry[] | null>;
}

export interface StartedBackfill {
  readonly runId: string;
  readonly created: boolean;
  readonly run: RunRecord;
  readonly chunksByTable: Readonly<Record<string, number>>;
  /** Upstream partitions planned first because the requested dates read them (history first). */
  readonly inputsByTable?: Readonly<Record<string, number>>;
  /** The plan as lines for people (what `run` prints locally). */
  readonly plan?: readonly string[];
}

export interface VerifyScope {
  readonly tables: readonly AnalyticsTableName[];
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly mode: RunMode;
  readonly excludeDates?: readonly IsoDate[];
}

/** Headers that authenticate a call to `audience`. */
export type AuthHeaders = (audience: string) => Promise<Record<string, string>>;

export interface ApiClientOptions {
  readonly fetch?: typeof fetch;
  /** Default: an ID token from google-auth-library's application default credentials, for https URLs that are not loopback. */
  readonly authHeaders?: AuthHeaders;
  readonly timeoutMs?: number;
}

/** The API answered something the CLI cannot use (a 5xx, a body of the wrong shape). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(message: string, readonly status: number, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The URL could not be reached (refused, unknown host, no answer in time): a fault of the network or the
 * service, not of the input (exit 3), and while following a run, maybe it passes.
 */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
}

const TIMEOUT_MS = 120_000;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const URL_EXAMPLES = 'http://127.0.0.1:8080 (npm run dev) or the api_url output of infra/ (https://...)';

/** `--api` as a URL the client can use, or a UsageError that says what a good one looks like. */
export function parseApiUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--api must be a URL like ${URL_EXAMPLES}, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--api must be an http or https URL like ${URL_EXAMPLES}, got "${value}"`);
  if (url.search || url.hash || url.username || url.password) throw new UsageError(`--api is the API's base URL, without query, fragment or credentials, got "${value}"`);
  return url;
}

/** A deployed function is private: calls carry an ID token. The local stack takes none. */
export function needsIdToken(url: URL): boolean {
  return url.protocol === 'https:' && !LOOPBACK.has(url.hostname);
}

/** google-auth-library's ID token for the URL, the audience Cloud Run / Cloud Functions check. */
export function googleIdTokenHeaders(): AuthHeaders {
  const auth = new GoogleAuth();
  const clients = new Map<string, ReturnType<GoogleAuth['getIdTokenClient']>>();
  return async (audience) => {
    let client = clients.get(audience);
    if (!client) {
      client = auth.getIdTokenClient(audience);
      clients.set(audience, client);
    }
    const headers = await (await client).getRequestHeaders();
    return Object.fromEntries(headers.entries());
  };
}

export function createApiClient(apiUrl: string, options: ApiClientOptions = {}): ApiClient {
  const url = parseApiUrl(apiUrl);
  const baseUrl = url.href.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const authHeaders = needsIdToken(url) ? (options.authHeaders ?? googleIdTokenHeaders()) : null;

  /** A 404 is the API's "no such run" only where `notFoundIsAnswer`; elsewhere the URL is not the API. */
  async function call(method: 'GET' | 'POST', path: string, body?: unknown, notFoundIsAnswer = false): Promise<{ status: number; json: unknown }> {
    const what = `${method} ${path.split('?')[0] ?? path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authHeaders) Object.assign(headers, await idToken(authHeaders, baseUrl));
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw unreachable(baseUrl, url, error);
    }
    const text = await response.text();
    const json = parseJson(text, response.headers.get('content-type') ?? '');
    const status = response.status;
    if (status === 400) {
      const { error, details } = problemOf(json);
      throw new UsageError(`the API rejected ${what}: ${error ?? text.slice(0, 200)}${details.length ? `\n  - ${details.join('\n  - ')}` : ''}`);
    }
    if (status === 401 || status === 403) {
      throw new UsageError(
        `the API at ${baseUrl} refused ${what} (HTTP ${status}). ` +
        (authHeaders
          ? 'The ID token was sent: is your identity one of api_invoker_members (infra/variables.tf)?'
          : 'It wants a Google ID token, which is sent on https URLs only: check the URL.'),
      );
    }
    if (status === 404 && (!notFoundIsAnswer || json === undefined)) {
      throw new UsageError(`${baseUrl} does not look like the backfill API: ${what} answered HTTP 404 (${describeBody(text, response)}). Check --api.`);
    }
    if ((status < 200 || status >= 300) && status !== 404) {
      throw new ApiError(`the API answered HTTP ${status} to ${what}: ${problemOf(json).error ?? describeBody(text, response)}`, status);
    }
    if (json === undefined) {
      throw new UsageError(`${baseUrl} does not look like the backfill API: ${what} answered ${describeBody(text, response)}, not JSON. Check --api.`);
    }
    return { status, json };
  }

  function expectObject<T>(what: string, value: unknown, key: string): T {
    if (value === null || typeof value !== 'object' || !(key in value)) {
      throw new ApiError(`the API's answer to ${what} has no "${key}": is ${baseUrl} the backfill API, of this version?`, 200);
    }
    return value as T;
  }

  return {
    baseUrl,
    async startBackfill(request) {
      const { json } = await call('POST', '/backfills', {
        tables: request.tables, start: request.start, end: request.end, excludeDates: request.excludeDates, mode: request.mode,
        ...(request.reprocess !== 'none' ? { reprocess: request.reprocess } : {}),
      });
      return expectObject<StartedBackfill>('POST /backfills', json, 'runId');
    },
    async retry(runId) {
      const { status, json } = await call('POST', `/backfills/${encodeURIComponent(runId)}/retry`, undefined, true);
      if (status === 404) throw new UsageError(`no run ${runId} at ${baseUrl}`);
      return expectObject<{ run: RunRecord; retried: number }>('POST /backfills/:id/retry', json, 'run');
    },
    async progress(runId) {
      const { status, json } = await call('GET', `/backfills/${encodeURIComponent(runId)}`, undefined, true);
      if (status === 404) return null;
      return expectObject<RunProgressView>('GET /backfills/:id', json, 'totals');
    },
    async listRuns(limit) {
      const { json } = await call('GET', `/backfills?limit=${limit}`);
      return expectObject<{ runs: RunRecord[] }>('GET /backfills', json, 'runs').runs;
    },
    async verifications(limit) {
      const { status, json } = await call('GET', `/verifications?limit=${limit}`, undefined, true);
      if (status === 404) return null;
      return expectObject<{ verifications: HistoryEntry[] }>('GET /verifications', json, 'verifications').verifications;
    },
    async verify(scope) {
      const every = ANALYTICS_TABLES.every((t) => scope.tables.includes(t));
      const query = new URLSearchParams({ tables: every ? 'all' : scope.tables.join(','), start: scope.start, end: scope.end, mode: scope.mode, format: 'json' });
      if (scope.excludeDates?.length) query.set('exclude', scope.excludeDates.join(','));
      const { json } = await call('GET', `/verify?${query.toString()}`);
      try {
        return parseReportJson(JSON.stringify(json));
      } catch (error) {
        throw new ApiError(`the API's answer to GET /verify is not a verification report (schemaVersion 2): is ${baseUrl} the backfill API, of this version?`, 200, { cause: error });
      }
    },
  };
}

async function idToken(authHeaders: AuthHeaders, audience: string): Promise<Record<string, string>> {
  try {
    return await authHeaders(audience);
  } catch (error) {
    throw new UsageError(
      `could not get a Google ID token for ${audience}: ${error instanceof Error ? error.message : String(error)}\n` +
      '  sign in with `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key, ' +
      'as an identity of api_invoker_members (infra/variables.tf)',
    );
  }
}

function unreachable(baseUrl: string, url: URL, error: unknown): ApiUnreachableError {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const name = error instanceof Error ? error.name : '';
  const why = name === 'TimeoutError' || name === 'AbortError' ? 'no answer in time' : (cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)));
  const hint = LOOPBACK.has(url.hostname) ? ' Is `npm run dev` running, on that port?' : ' Check the URL (terraform output api_url).';
  return new ApiUnreachableError(`cannot reach the API at ${baseUrl} (${why}).${hint}`, { cause: error });
}

function parseJson(text: string, contentType: string): unknown {
  if (!contentType.includes('json')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function problemOf(json: unknown): { error: string | undefined; details: string[] } {
  if (json === null || typeof json !== 'object') return { error: undefined, details: [] };
  const { error, details } = json as { error?: unknown; details?: unknown };
  return {
    error: typeof error === 'string' ? error : undefined,
    details: Array.isArray(details) ? details.map(String) : [],
  };
}

function describeBody(text: string, response: Response): string {
  const type = response.headers.get('content-type') ?? 'no content type';
  const start = text.trim().slice(0, 80).replace(/\s+/g, ' ');
  return start ? `${type}: "${start}"` : type;
}
