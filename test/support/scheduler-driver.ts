import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunProgressView } from '../../shared/api/progress-view.js';
import type { RunRecord } from '../../shared/ports/ledger.js';
import type { VerificationReport } from '../../shared/verify/report-schema.js';
import type { E2eStack } from './e2e-stack.js';
import type { ChunkRecord } from '../../shared/ports/ledger.js';
import { ANALYTICS_TABLES } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';
import { assertExactRows } from './exact-rows.js';
import { assertCheckpointsMatchWarehouse, assertProgressMatchesLedger, assertReportMatchesWarehouse, tableStatuses } from './report-truth.js';

/**
 * What a user and Cloud Scheduler do to an end-to-end stack: publish `{"kind":"reconcile"}` on a
 * timer, and read GET /backfills/:id and GET /verify.
 */

export const SCHEDULER_TICK_MS = 300;
export const RUN_TIMEOUT_MS = 150_000;

export interface DriveOptions {
  /** Copies of each scheduler message, published at once (two reconciles at once). */
  readonly copies?: number;
  readonly tickMs?: number;
  readonly timeoutMs?: number;
  /** Runs beside each scheduler message (another instance's reconcile, a probe). */
  readonly eachTick?: () => Promise<void>;
  /** Stop early, with the run still active, once this holds. */
  readonly until?: (view: RunProgressView) => boolean;
}

/** Publish scheduler messages until GET /backfills/:id says the run ended (or `until` holds). */
export async function driveWithScheduler(s: E2eStack, runId: string, options: DriveOptions = {}): Promise<RunProgressView> {
  const timeoutMs = options.timeoutMs ?? RUN_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await Promise.all([s.topology.publishScheduler('reconcile', options.copies ?? 1), options.eachTick?.()]);
    await sleep(options.tickMs ?? SCHEDULER_TICK_MS);
    const view = await progress(s, runId);
    if (view.run.state !== 'active' || options.until?.(view)) return view;
    if (Date.now() > deadline) assert.fail(`run ${runId} still active after ${timeoutMs} ms: ${JSON.stringify({ totals: view.totals, lastErrors: view.lastErrors })}`);
  }
}

/** One scheduler message (or `copies` at once), then the scheduler's pause. */
export async function schedulerTick(s: E2eStack, copies = 1): Promise<void> {
  await s.topology.publishScheduler('reconcile', copies);
  await sleep(SCHEDULER_TICK_MS);
}

/** GET /backfills/:id. */
export async function progress(s: E2eStack, runId: string): Promise<RunProgressView> {
  const response = await s.api('GET', `/backfills/${runId}`);
  assert.equal(response.status, 200, response.text);
  return response.json as RunProgressView;
}

/** POST /backfills; the run it created. */
export async function startBackfill(s: E2eStack, body: Record<string, unknown>): Promise<RunRecord> {
  const response = await s.api('POST', '/backfills', body);
  assert.equal(response.status, 201, response.text);
  return (response.json as { run: RunRecord }).run;
}

/** GET /verify as JSON (never strict: the status is asserted on the report). */
export async function verifyReport(s: E2eStack, scope: { tables: readonly string[] | 'all'; start: string; end: string }): Promise<VerificationReport> {
  const tables = scope.tables === 'all' ? 'all' : scope.tables.join(',');
  const response = await s.api('GET', `/verify?tables=${tables}&start=${scope.start}&end=${scope.end}`);
  assert.equal(response.status, 200, response.text.slice(0, 2000));
  return response.json as VerificationReport;
}

/** GET /backfills, newest first. */
export async function listRuns(s: E2eStack): Promise<RunRecord[]> {
  const response = await s.api('GET', '/backfills?limit=100');
  assert.equal(response.status, 200, response.text);
  return (response.json as { runs: RunRecord[] }).runs;
}

/** Poll `probe` until it returns a value other than undefined; fail with `what` after the timeout. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/**
 * How every delivery fault must end: each table's rows exactly what its transform makes of the raw
 * data, the run's checkpoints and GET /backfills/:id saying what the warehouse holds, and GET /verify
 * calling every table COMPLETE with the warehouse's counts. Returns the run's chunks as stored.
 */
export async function assertRunEndedExactAndTrue(s: E2eStack, runId: string, range: { readonly start: IsoDate; readonly end: IsoDate }): Promise<ChunkRecord[]> {
  const chunks = (await s.chunkDocs()).filter((c) => c.runIds.includes(runId));
  const stored = await assertExactRows(s.warehouse, { tables: ANALYTICS_TABLES, ...range });
  assertCheckpointsMatchWarehouse(chunks, stored);
  assertProgressMatchesLedger(await progress(s, runId), chunks);
  const report = await verifyReport(s, { tables: 'all', ...range });
  assertReportMatchesWarehouse(report, stored);
  assert.deepEqual(tableStatuses(report), Object.fromEntries(ANALYTICS_TABLES.map((t) => [t, 'COMPLETE'])));
  return chunks;
}
