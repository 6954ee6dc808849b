import assert from 'node:assert/strict';
import { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { InProcessQueue } from '../../adapters/local/in-process-queue.js';
import { LocalLedger } from '../../adapters/local/local-ledger.js';
import { handleApiRequest } from '../../shared/api/handle-api.js';
import { DEFAULT_LIMITS, processorOptionsFrom, reconcileLimitsFrom } from '../../shared/config/wiring.js';
import type { RunProgressView } from '../../shared/api/progress-view.js';
import { createChunkProcessor } from '../../shared/chunks/process-chunks.js';
import { TransientError } from '../../shared/errors/errors.js';
import { MemoryLogger } from '../../shared/log/logger.js';
import { systemClock } from '../../shared/ports/clock.js';
import type { ChunkRecord, RunRecord } from '../../shared/ports/ledger.js';
import type { Warehouse } from '../../shared/ports/warehouse.js';
import type { ReconcileLimits } from '../../shared/reconcile/plan-reconcile.js';
import { driveRun } from '../../shared/runner/drive-run.js';
import type { VerificationReport } from '../../shared/verify/report-schema.js';
import { openFixtureWarehouse } from './duckdb-fixtures.js';

/**
 * The service's core on one machine, for faults of the core rather than of delivery: the real-data
 * fixture slices in an in-memory DuckDB (behind whatever decorator the test puts in front of it), an
 * in-memory ledger, the in-process queue, the chunk processor, reconcile ticks driving the run, and
 * the HTTP API's handler for the reports. A handler that asks for redelivery (transient or quota)
 * gets the message again, as processChunk does on Pub/Sub.
 */

export interface InProcessStackOptions {
  readonly wrapWarehouse?: (warehouse: DuckDbWarehouse) => Warehouse;
  readonly maxAttempts?: number;
  readonly datesPerJob?: number;
}

export interface ApiAnswer {
  readonly status: number;
  readonly json: unknown;
}

export interface InProcessStack {
  /** The real engine, for counting apart from the service. */
  readonly engine: DuckDbWarehouse;
  /** What the service uses. */
  readonly warehouse: Warehouse;
  readonly ledger: LocalLedger;
  readonly logs: MemoryLogger;
  readonly limits: ReconcileLimits;
  api(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  /** POST /backfills; the run it created. */
  start(body: Record<string, unknown>): Promise<RunRecord>;
  /** Reconcile ticks until the run ends; then waits for every message still in the queue. */
  drive(runId: string): Promise<RunRecord>;
  progress(runId: string): Promise<RunProgressView>;
  verify(scope: { tables: readonly string[] | 'all'; start: string; end: string }): Promise<VerificationReport>;
  chunks(runId: string): Promise<ChunkRecord[]>;
  close(): Promise<void>;
}

const DRIVE_TIMEOUT_MS = 60_000;

export async function startInProcessStack(options: InProcessStackOptions = {}): Promise<InProcessStack> {
  const engine = await openFixtureWarehouse();
  const warehouse = options.wrapWarehouse ? options.wrapWarehouse(engine) : engine;
  const ledger = await LocalLedger.open({ path: ':memory:' });
  const logs = new MemoryLogger();
  const clock = systemClock;
  const maxAttempts = options.maxAttempts ?? 3;
  // A test's seconds: retries within a fifth of a second, a lease of a minute, a few dates in flight.
  // The size each test asks for, fixed: the fault tests count jobs and attempts per date.
  const datesPerJob = options.datesPerJob ?? 1;
  const testLimits = {
    ...DEFAULT_LIMITS, leaseMs: 60_000, maxAttempts, retryBaseMs: 20, retryMaxMs: 200,
    maxInFlight: 20, maxInFlightPerTable: 4, datesPerJob, maxDatesPerJob: datesPerJob,
  };
  const processor = createChunkProcessor(
    { warehouse, ledger, clock, logger: logs },
    processorOptionsFrom(testLimits, 'in-process-worker'),
  );
  const wakers: Array<() => void> = [];
  const wake = () => {
    for (const w of wakers.splice(0)) w();
  };
  const queue = new InProcessQueue({
    concurrency: 2,
    maxDeliveryAttempts: 3,
    minBackoffMs: 20,
    maxBackoffMs: 200,
    handler: async (message) => {
      try {
        const outcome = await processor.process(message);
        if (!outcome.ack) throw new TransientError(`chunk message to be redelivered: ${outcome.error ?? 'transient failure'}`);
      } finally {
        wake();
      }
    },
  });
  const limits = reconcileLimitsFrom(testLimits);
  const deps = { warehouse, ledger, clock, logger: logs };
  const api = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const [route = '', search = ''] = path.split('?');
    const out = await handleApiRequest(deps, { method, path: route, query: Object.fromEntries(new URLSearchParams(search)), body });
    return { status: out.status, json: out.body };
  };
  const ok = async (method: string, path: string, status = 200): Promise<unknown> => {
    const answer = await api(method, path);
    assert.equal(answer.status, status, `${method} ${path}: ${JSON.stringify(answer.json).slice(0, 2000)}`);
    return answer.json;
  };

  return {
    engine,
    warehouse,
    ledger,
    logs,
    limits,
    api,
    async start(body) {
      const answer = await api('POST', '/backfills', body);
      assert.equal(answer.status, 201, JSON.stringify(answer.json));
      return (answer.json as { run: RunRecord }).run;
    },
    async drive(runId) {
      const deadline = Date.now() + DRIVE_TIMEOUT_MS;
      const run = await driveRun({ ledger, queue, clock, logger: logs }, {
        runId,
        limits,
        idleWaitMs: 50,
        waitForWork: (timeoutMs) => new Promise<void>((resolve) => {
          if (Date.now() > deadline) throw new Error(`run ${runId} still active after ${DRIVE_TIMEOUT_MS} ms`);
          const timer = setTimeout(resolve, timeoutMs);
          wakers.push(() => {
            clearTimeout(timer);
            resolve();
          });
        }),
      });
      await queue.onIdle();
      return run;
    },
    progress: async (runId) => (await ok('GET', `/backfills/${runId}`)) as RunProgressView,
    verify: async (scope) => {
      const tables = scope.tables === 'all' ? 'all' : scope.tables.join(',');
      return (await ok('GET', `/verify?tables=${tables}&start=${scope.start}&end=${scope.end}`)) as VerificationReport;
    },
    chunks: (runId) => ledger.listChunks({ runId }),
    async close() {
      await queue.close();
      await ledger.close();
      await warehouse.close();
    },
  };
}
