import { setTimeout as sleep } from 'node:timers/promises';
import type { RunProgressView } from '../../shared/api/progress-view.js';
import { renderReport, type VerifyFormat } from '../../shared/api/verify-endpoint.js';
import { CHUNK_STATES } from '../../shared/chunks/chunk-state.js';
import { scopeOfRequest, type BackfillRequest } from '../../shared/planning/backfill-request.js';
import type { ChunkCount } from '../../shared/ports/ledger.js';
import type { Progress } from '../../shared/runner/drive-run.js';
import type { AnalyticsTableName } from '../../shared/tables/names.js';
import { ApiError, ApiUnreachableError, type ApiClient, type VerifyScope } from '../api-client.js';
import { createProgressReporter } from '../progress.js';
import { EXIT, UsageError } from '../usage-error.js';
import { writeRunStatus, writeVerifications } from './status.js';
import { writeReport } from '../verification.js';

/**
 * `run`, `status` and `verify` against the backfill API (`--api URL`) instead of the local data dir.
 * The service does the work, driven by its own reconcile ticks; these only ask and show, the same way
 * the local commands show.
 */

export interface RunViaApiOptions {
  readonly format: VerifyFormat;
  readonly out: NodeJS.WritableStream;
  readonly pollMs: number;
  readonly progressIntervalMs: number;
  /** Aborting stops following; the run goes on at the service. */
  readonly signal?: AbortSignal;
}

/** Polls that may fail in a row before following gives up. */
const POLL_FAILURES_TOLERATED = 3;

/** POST /backfills, follow GET /backfills/:id until the run ends, then GET /verify of its scope. */
export async function runViaApi(client: ApiClient, request: BackfillRequest, options: RunViaApiOptions): Promise<number> {
  const { out } = options;
  const began = Date.now();
  const started = await client.startBackfill(request);
  const { runId } = started;
  const tables = Object.entries(started.chunksByTable).map(([t, n]) => `${t} ${n}`).join(', ');
  out.write(`${started.created ? 'Started' : 'Following'} ${runId} at ${client.baseUrl}: ${started.run.chunkCount} chunks (${tables || 'no game dates in range'})\n`);
  for (const line of (started.plan ?? []).slice(1)) out.write(`${line}\n`);
  if (!started.created && started.run.state === 'cancelled') {
    // As a local re-run does: a cancelled run goes on (POST /backfills leaves it cancelled; retry resumes it).
    const again = await client.retry(runId);
    if (again.retried > 0) out.write(`  retrying ${again.retried} failed, dead or no_source chunks\n`);
  }
  out.write(`  the service's reconcile ticks drive it; Ctrl-C stops following, not the run\n`);

  const view = await follow(client, runId, options);
  if (view.run.state === 'active') {
    out.write(`\nStopped following. ${runId} goes on at the service: backfill status --api ${client.baseUrl} --run ${runId}\n`);
    return 130;
  }
  out.write(`\n${runId} ${view.run.state}: ${view.run.outcome ?? ''} in ${((Date.now() - began) / 1000).toFixed(1)}s\n\n`);
  const passed = await printReport(client, scopeOfRequest(request), options.format, out);
  return view.run.state === 'succeeded' && passed ? EXIT.ok : EXIT.failed;
}

async function follow(client: ApiClient, runId: string, options: RunViaApiOptions): Promise<RunProgressView> {
  const progress = createProgressReporter({ intervalMs: options.progressIntervalMs });
  try {
    for (;;) {
      const view = await readProgress(client, runId, options.pollMs);
      progress.update(toProgress(view));
      if (view.run.state !== 'active' || options.signal?.aborted) return view;
      await sleep(options.pollMs, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
    }
  } finally {
    progress.stop();
  }
}

/** GET /backfills/:id, riding out a few failures in a row that may pass (a deploy, a blip). */
async function readProgress(client: ApiClient, runId: string, pollMs: number): Promise<RunProgressView> {
  for (let failures = 0; ; failures += 1) {
    try {
      const view = await client.progress(runId);
      if (!view) throw new ApiError(`run ${runId} is gone from the ledger at ${client.baseUrl}`, 404);
      return view;
    } catch (error) {
      const passing = error instanceof ApiUnreachableError || (error instanceof ApiError && error.status >= 500);
      if (!passing || failures >= POLL_FAILURES_TOLERATED) throw error;
      await sleep(pollMs);
    }
  }
}

/** runViaApi with Ctrl-C (or SIGTERM) ending the following, not the run. */
export async function runViaApiUntilInterrupted(client: ApiClient, request: BackfillRequest, options: Omit<RunViaApiOptions, 'signal'>): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runViaApi(client, request, { ...options, signal: controller.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function toProgress(view: RunProgressView): Progress {
  const counts: ChunkCount[] = [];
  for (const [table, byState] of Object.entries(view.byTable)) {
    for (const state of CHUNK_STATES) {
      const count = byState?.[state] ?? 0;
      if (count > 0) counts.push({ table: table as AnalyticsTableName, state, count });
    }
  }
  const t = view.totals;
  return { run: view.run, counts, total: t.total, settled: t.succeeded + t.no_source + t.dead };
}

/** `status --api`: the runs and their chunk counts, as the API's ledger has them. */
export async function statusViaApi(client: ApiClient, out: NodeJS.WritableStream, options: { runId?: string; limit: number }): Promise<number> {
  const runIds = options.runId ? [options.runId] : (await client.listRuns(options.limit)).map((r) => r.id);
  if (runIds.length === 0) {
    out.write(`no runs yet: start one with \`backfill run --api ${client.baseUrl} --tables all --start YYYY-MM-DD --end YYYY-MM-DD\`\n`);
    return EXIT.ok;
  }
  for (const id of runIds) {
    const view = await client.progress(id);
    if (!view) throw new UsageError(`no run ${id} at ${client.baseUrl}; \`backfill status --api ${client.baseUrl}\` lists the runs`);
    writeRunStatus(out, { run: view.run, counts: toProgress(view).counts, broken: view.lastErrors });
  }
  out.write(`\nCheckpoints only: \`backfill verify --api ${client.baseUrl}\` reads the warehouse itself.\n`);
  const history = await client.verifications(5);
  if (history) writeVerifications(out, history);
  return EXIT.ok;
}

/** `verify --api`: the report from GET /verify; exit 0 when every table is COMPLETE. */
export async function verifyViaApi(client: ApiClient, scope: VerifyScope, format: VerifyFormat, out: NodeJS.WritableStream): Promise<number> {
  return (await printReport(client, scope, format, out)) ? EXIT.ok : EXIT.failed;
}

/** The report is fetched as JSON (so pass or fail is read, not guessed) and rendered as the local CLI renders it. */
async function printReport(client: ApiClient, scope: VerifyScope, format: VerifyFormat, out: NodeJS.WritableStream): Promise<boolean> {
  const report = await client.verify(scope);
  writeReport(out, format === 'json' ? JSON.stringify(report, null, 2) : renderReport(report, format), report, format);
  return report.overall.status === 'COMPLETE';
}
