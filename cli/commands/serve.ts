import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../shared/config/config.js';
import { errorMessage } from '../../shared/errors/errors.js';
import { recordAndShow } from '../../shared/alerts/history.js';
import { runVerification } from '../../shared/api/verify-endpoint.js';
import { scopeOfRequest } from '../../shared/planning/backfill-request.js';
import { systemClock } from '../../shared/ports/clock.js';
import type { RunRecord } from '../../shared/ports/ledger.js';
import { reconcileRuns } from '../../shared/reconcile/reconcile.js';
import { recoverLocalOrphans } from '../../shared/runner/start-run.js';
import type { LocalStack } from '../local-stack.js';
import { createLocalWorker, type LocalWorkerOptions } from '../local-worker.js';
import { UsageError } from '../usage-error.js';

export interface ServeOptions extends LocalWorkerOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly out: NodeJS.WritableStream;
  /** Aborting stops serving: the server closes, the chunks in flight finish and checkpoint. */
  readonly signal: AbortSignal;
}

/** How long the driver waits between reconcile ticks when nothing finishes sooner. */
const IDLE_TICK_MS = 1000;

/**
 * `backfill serve`: backfillApi (the status page at /, and every route) over a data dir, on
 * functions-framework as deployed, with this process as the data dir's worker: runs started,
 * retried or left active are driven here by reconcile ticks through an in-process queue, as
 * `backfill run` drives its own. No emulators: the ledger and history are the data dir's files.
 */
export async function serve(stack: LocalStack, options: ServeOptions): Promise<void> {
  const { ledger, warehouse, history } = stack;
  const clock = systemClock;
  const log = options.logger;
  // Loaded here, not at the CLI's start: the functions' module graph carries the cloud clients.
  const [{ createService, setService }, { getTestServer }] = await Promise.all([
    import('../../functions/service.js'),
    import('@google-cloud/functions-framework/testing'),
    import('../../functions/index.js'),
  ]);

  for (const run of await ledger.listRuns({ states: ['active'] })) {
    const recovered = await recoverLocalOrphans({ ledger, clock }, run.id);
    if (recovered) options.out.write(`${run.id}: ${recovered} chunks left in flight by an interrupted process put back\n`);
  }
  const worker = createLocalWorker(stack, options);
  const config = loadConfig({ WAREHOUSE: 'duckdb', LEDGER: 'local', BACKFILL_DATA_DIR: stack.dataDir, COVERAGE_START: '' });
  setService(await createService(config, {
    warehouse, ledger, clock, logger: log, queue: worker.queue,
    // The history of the data dir, as `backfill verify` keeps it; nothing here sends alerts.
    alerter: {
      afterVerification: () => Promise.reject(new Error('backfill serve sends no alerts')),
      history,
      alerts: history,
      close: () => Promise.resolve(),
    },
    reconcileTrigger: { requestReconcile: () => Promise.resolve(worker.wake()) },
    instanceId: `serve-${process.pid}`,
  }));

  const server: Server = getTestServer('backfillApi');
  try {
    await listen(server, options.host, options.port);
  } catch (error) {
    setService(null);
    await worker.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`cannot listen on ${options.host}:${options.port} (${code}): pass another --port (0 takes any free one) or --host`);
    }
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  options.out.write(`Serving ${stack.dataDir} at http://${options.host}:${port}/ (the status page; the API's routes beside it). Ctrl-C stops.\n`);

  // As at the end of `backfill run`: the run's scope is verified and kept in the history.
  const onRunFinished = async (run: RunRecord) => {
    try {
      const { report } = await runVerification({ warehouse, ledger, clock }, scopeOfRequest(run.request), 'json');
      await recordAndShow(history, report, 'run_finished', run.id);
      options.out.write(`${run.id} ${run.state}: ${run.outcome ?? ''}; ${report.overall.line}\n`);
    } catch (error) {
      log.error('verification at the end of a run failed', { runId: run.id, error: errorMessage(error) });
    }
  };
  const stopped = new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
  options.signal.addEventListener('abort', () => worker.wake(), { once: true });
  try {
    while (!options.signal.aborted) {
      try {
        await reconcileRuns({ ledger, queue: worker.queue, clock, logger: log, onRunFinished }, worker.limits);
      } catch (error) {
        log.error('reconcile tick failed; trying again', { error: errorMessage(error) });
      }
      await worker.waitForWork(IDLE_TICK_MS);
    }
    await stopped;
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await worker.close();
    setService(null);
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
