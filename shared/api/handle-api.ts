import { z } from 'zod';
import type { ReconcileTrigger } from '../ports/reconcile-trigger.js';
import { errorMessage } from '../errors/errors.js';
import { historyEntry } from '../alerts/history.js';
import type { Logger } from '../log/logger.js';
import { parseBackfillRequest } from '../planning/backfill-request.js';
import { InvalidInputError, problemLines } from '../input/invalid-input.js';
import { strictObjectError } from '../input/fields.js';
import { isRunId, RUN_ID_HINT } from '../planning/ids.js';
import { cancelRun } from '../runner/cancel-run.js';
import { retryRun, startRun } from '../runner/start-run.js';
import { planLines } from '../runner/plan-lines.js';
import { runProgress } from './progress-view.js';
import { pageAsset, statusPage, type StatusPageDeps } from './status-page.js';
import { QUERY_PROBLEMS, verifyScope, VerifyQuerySchema, type VerifyFormat } from './verify-endpoint.js';

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  /** 'application/json' unless a text or markdown report, or the status page, was asked for. */
  readonly contentType: string;
  /** More response headers (the status page's Content-Security-Policy). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the API reads and writes: the status page's ports, and a logger and a reconcile trigger for the routes that start runs. */
export interface ApiDeps extends StatusPageDeps {
  readonly logger: Logger;
  /** Asks for a reconcile tick when a run is started or resumed; without it the scheduler's next tick starts it. */
  readonly reconcileTrigger?: ReconcileTrigger | undefined;
}

const json = (status: number, body: unknown): ApiResponse => ({ status, body, contentType: 'application/json' });
const problem = (status: number, error: string, details?: string[]): ApiResponse => json(status, { error, ...(details ? { details } : {}) });

const LIMIT_HINT = 'must be a whole number from 1 to 100';
const ListQuerySchema = z.strictObject(
  {
    limit: z
      .string({ error: `${LIMIT_HINT}, given once` })
      .regex(/^[1-9]\d{0,2}$/, LIMIT_HINT)
      .transform(Number)
      .pipe(z.number().max(100, LIMIT_HINT))
      .default(20),
  },
  { error: strictObjectError(['limit'], { noun: 'parameter' }) },
);
const invalidQuery = (error: z.ZodError) => problem(400, 'invalid query', problemLines(error, QUERY_PROBLEMS));

/**
 * The HTTP API as a pure mapping from request to response over the ports. The Cloud Function only
 * adapts Express to this.
 */
export async function handleApiRequest(deps: ApiDeps, req: ApiRequest): Promise<ApiResponse> {
  const parts = req.path.split('/').filter(Boolean);
  const method = req.method.toUpperCase();
  try {
    if (parts[0] === 'backfills') {
      if (parts.length === 1 && method === 'POST') return await createBackfill(deps, req.body);
      if (parts.length === 1 && method === 'GET') {
        const q = ListQuerySchema.safeParse(req.query);
        if (!q.success) return invalidQuery(q.error);
        return json(200, { runs: await deps.ledger.listRuns({ limit: q.data.limit }) });
      }
      if (parts.length === 1) return problem(405, `use GET or POST /backfills, not ${method}`);
      const id = parts[1];
      if (id === undefined || !isRunId(id)) return problem(400, 'invalid backfill id', [`${RUN_ID_HINT}; GET /backfills lists them`]);
      if (parts.length === 2 && method === 'GET') {
        const view = await runProgress(deps.ledger, id, deps.clock.now());
        return view ? json(200, view) : problem(404, `no backfill ${id}`);
      }
      if (parts.length === 3 && method === 'POST' && parts[2] === 'cancel') return await cancel(deps, id);
      if (parts.length === 3 && method === 'POST' && parts[2] === 'retry') {
        if (!(await deps.ledger.getRun(id))) return problem(404, `no backfill ${id}`);
        const { run, retried } = await retryRun(deps, id);
        const reconcileRequested = run?.state === 'active' ? await requestReconcile(deps, id) : false;
        return json(200, { run, retried, reconcileRequested });
      }
      return problem(parts.length <= 3 ? 405 : 404, `${method} ${shortened(req.path)} is not a route of this API`);
    }
    if (parts.length === 1 && parts[0] === 'verify') {
      if (method !== 'GET') return problem(405, 'use GET /verify');
      const q = VerifyQuerySchema.safeParse(req.query);
      if (!q.success) return invalidQuery(q.error);
      const { body, passed, format } = await verifyScope(deps, q.data);
      const status = q.data.strict && !passed ? 503 : 200;
      return { status, body, contentType: contentTypeOf(format) };
    }
    if (parts.length === 1 && parts[0] === 'verifications') {
      if (method !== 'GET') return problem(405, 'use GET /verifications');
      const q = ListQuerySchema.safeParse(req.query);
      if (!q.success) return invalidQuery(q.error);
      if (!deps.history) return problem(404, 'this deployment keeps no verification history');
      const records = await deps.history.listVerifications({ limit: q.data.limit });
      return json(200, { verifications: records.map(historyEntry) });
    }
    if (parts.length === 0) {
      if (method !== 'GET') return problem(405, 'use GET / (the status page)');
      return await statusPage(deps, req.query);
    }
    if (parts.length === 2 && parts[0] === 'assets' && method === 'GET') {
      const asset = pageAsset(deps, parts[1] ?? '');
      if (asset) return asset;
    }
    return problem(404, `${method} ${shortened(req.path)} is not a route of this API`);
  } catch (error) {
    if (error instanceof InvalidInputError) return problem(400, `invalid ${error.what}`, [...error.problems]);
    throw error;
  }
}

/** A path for a message: what was asked, not all of it. */
function shortened(path: string): string {
  return path.length > 100 ? `${path.slice(0, 100)}...` : path;
}

function contentTypeOf(format: VerifyFormat): string {
  if (format === 'text') return 'text/plain; charset=utf-8';
  if (format === 'markdown') return 'text/markdown; charset=utf-8';
  return 'application/json';
}

async function createBackfill(deps: ApiDeps, body: unknown): Promise<ApiResponse> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return problem(400, 'invalid backfill request', ['the body must be a JSON object like {"tables":"all","start":"2021-11-01","end":"2021-11-30"}']);
  }
  const request = parseBackfillRequest(body);
  const started = await startRun(deps, request);
  deps.logger.info(started.created ? 'backfill started' : 'backfill already known', { runId: started.run.id, chunks: started.run.chunkCount });
  const reconcileRequested = started.run.state === 'active' ? await requestReconcile(deps, started.run.id) : false;
  const chunksByTable = Object.fromEntries(Object.entries(started.plan.datesByTable).map(([t, d]) => [t, d?.length ?? 0]));
  const inputsByTable = Object.fromEntries(Object.entries(started.plan.inputsByTable).map(([t, d]) => [t, d?.length ?? 0]));
  return json(started.created ? 201 : 200, {
    runId: started.run.id,
    created: started.created,
    run: started.run,
    chunksByTable,
    // History first: upstream partitions the requested dates read that the warehouse lacks, built in this run.
    inputsByTable,
    rebuild: started.plan.rebuild.length,
    redone: started.redone,
    plan: planLines(started),
    reconcileRequested,
    links: { self: `/backfills/${started.run.id}`, cancel: `/backfills/${started.run.id}/cancel`, verify: `/verify?start=${request.start}&end=${request.end}&mode=${request.mode}` },
  });
}

async function cancel(deps: ApiDeps, id: string): Promise<ApiResponse> {
  const run = await deps.ledger.getRun(id);
  if (!run) return problem(404, `no backfill ${id}`);
  const cancelled = await cancelRun(deps, id, 'cancelled through the API');
  if (!cancelled) {
    // Read again: another cancel may have won between the read above and the compare-and-set.
    const state = (await deps.ledger.getRun(id))?.state ?? run.state;
    return problem(409, state === 'cancelled' ? `backfill ${id} is already cancelled` : `backfill ${id} is ${state}, not active`);
  }
  deps.logger.info('backfill cancelled', { runId: id, queuedChunksReleased: cancelled.released });
  return json(200, { run: cancelled.run });
}

/** A tick now, so the run starts without waiting for the scheduler. Best effort: the next scheduled tick does the same. */
async function requestReconcile(deps: ApiDeps, runId: string): Promise<boolean> {
  if (!deps.reconcileTrigger) return false;
  try {
    await deps.reconcileTrigger.requestReconcile();
    return true;
  } catch (error) {
    deps.logger.warn('could not ask for a reconcile tick; the next scheduled tick starts the run', { runId, error: errorMessage(error) });
    return false;
  }
}
