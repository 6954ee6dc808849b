import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { createService, setService } from '../functions/service.js';
import { DuckDbWarehouse } from '../adapters/duckdb/duckdb-warehouse.js';
import { DataDirInUseError } from '../adapters/duckdb/duckdb-errors.js';
import { createJsonLogger } from '../adapters/logging/pino-logger.js';
import { WAREHOUSE_FILE } from '../cli/local-stack.js';
import { loadConfig, type ServiceConfig } from '../shared/config/config.js';
import { DEFAULTS } from '../shared/config/defaults.js';
import type { Logger } from '../shared/log/logger.js';
import { addDaysIso, type IsoDate } from '../shared/util/dates.js';
import { firestoreClient, startFirestoreEmulator, startPubSubEmulator, type Emulator } from './emulators.js';
import { startFunctionServers, type FunctionServers, type ServedRequest } from './function-servers.js';
import { createPushTopology, type PushTopology } from './push-topology.js';
import { readableLines } from './readable-log.js';

/**
 * The deployment of infra/ on one machine, for people to try with curl: the real Firestore and
 * Pub/Sub emulators, the three functions on functions-framework servers fed by push subscriptions,
 * and a scheduler that publishes `{"kind":"reconcile"}` every few seconds, over the DuckDB warehouse
 * of a data dir. The ledger lives in the Firestore emulator, so it starts empty each time; the
 * warehouse stays.
 *
 * The functions share this process (one functions-framework server each) because DuckDB lets one
 * process open a warehouse file: three processes could not share it.
 */
export interface DevStackOptions {
  readonly dataDir: string;
  /** backfillApi's port; 0 for any free port. Default DEFAULTS.devApiPort. */
  readonly apiPort?: number;
  readonly tickSeconds?: number;
  /** Service config (LEASE_MS, COVERAGE_START, LOG_LEVEL, ...); default process.env. Coverage healing is off unless COVERAGE_START is set. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the readable log lines go; default stdout. */
  readonly logTo?: NodeJS.WritableStream;
}

export interface DevStack {
  readonly dataDir: string;
  readonly projectId: string;
  readonly config: ServiceConfig;
  readonly urls: { readonly api: string; readonly processChunk: string; readonly reconcile: string };
  readonly emulators: { readonly firestore: Emulator; readonly pubsub: Emulator };
  readonly topology: PushTopology;
  readonly tickSeconds: number;
  /** A week of the warehouse's raw data with box scores, for the example commands; null when unknown. */
  readonly exampleRange: { readonly start: IsoDate; readonly end: IsoDate } | null;
  /** Publish a reconcile message now, as the scheduler does every tickSeconds. */
  tick(): Promise<void>;
  /** Stop the scheduler and the pushes, let requests in flight finish, close everything, stop the emulators. */
  close(): Promise<void>;
}

/** The stack cannot start with what it was given (no data, port taken): the message says what to do. */
export class DevStackError extends Error {
  override readonly name = 'DevStackError';
}

const DRAIN_MS = 10_000;
/** The function servers listen here, as in test/support: nothing outside the machine reaches them. */
const HOST = '127.0.0.1';

export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const dataDir = resolve(options.dataDir);
  const tickSeconds = options.tickSeconds ?? DEFAULTS.devTickSeconds;
  if (!existsSync(join(dataDir, WAREHOUSE_FILE))) {
    throw new DevStackError(`no warehouse in ${dataDir}: load raw data first, e.g.\n  npm run backfill -- --data-dir ${options.dataDir} load-raw test/fixtures/raw`);
  }
  const apiPort = options.apiPort ?? DEFAULTS.devApiPort;
  // Before the emulators start: a taken port is the commonest reason to fail, and the cheapest to find.
  if (apiPort !== 0) await assertPortFree(apiPort);
  const warehouse = await openWarehouse(dataDir);
  const undo: Array<{ what: string; run: () => Promise<unknown> }> = [{ what: 'warehouse', run: () => warehouse.close() }];
  let logger: Logger | undefined;
  const closeAll = async () => {
    for (const step of undo.splice(0).reverse()) {
      await step.run().catch((error: unknown) => logger?.warn(`closing the ${step.what} failed`, { error: String(error) }));
    }
  };
  try {
    const exampleRange = await checkRawData(warehouse, dataDir, options.dataDir);
    const [firestore, pubsubEmulator] = await startEmulators();
    undo.push({ what: 'Firestore emulator', run: () => firestore.stop() }, { what: 'Pub/Sub emulator', run: () => pubsubEmulator.stop() });
    const projectId = firestore.projectId;
    const config = loadConfig({
      COVERAGE_START: '',
      ...(options.env ?? process.env),
      WAREHOUSE: 'duckdb',
      LEDGER: 'firestore',
      BACKFILL_DATA_DIR: dataDir,
      GOOGLE_CLOUD_PROJECT: projectId,
    });
    logger = createJsonLogger({ level: config.logLevel, destination: readableLines(options.logTo ?? process.stdout) });
    const log = logger;

    const db: Firestore = firestoreClient(firestore, { projectId });
    const pubsub = new PubSub({ projectId, apiEndpoint: pubsubEmulator.host, emulatorMode: true });
    undo.push({ what: 'Firestore client', run: () => db.terminate() }, { what: 'Pub/Sub client', run: () => pubsub.close() });
    // Wired as deployed (POST /backfills publishes a reconcile tick to the emulator's reconcile topic), on
    // the emulators' clients and the data dir's DuckDB warehouse.
    const service = await createService(config, { warehouse, logger: log, clients: { firestore: db, pubsub } });
    undo.push({ what: 'service', run: () => service.close() });
    setService(service);
    undo.push({ what: 'service', run: () => Promise.resolve(setService(null)) });

    const servers = await startServers(apiPort, (served) => logRequest(log, served));
    undo.push({ what: 'function servers', run: () => servers.close({ drainMs: DRAIN_MS }) });
    const topology = await createPushTopology({ pubsub, projectId, topics: config.topics, servers });
    undo.push({ what: 'topics and subscriptions', run: () => topology.delete() });

    const tick = () => topology.publishScheduler('reconcile');
    const timer = setInterval(() => {
      tick().then(
        () => log.debug('scheduler tick: published {"kind":"reconcile"}', { topic: config.topics.reconcile }),
        (error: unknown) => log.warn('scheduler tick failed', { error: String(error) }),
      );
    }, tickSeconds * 1000);
    undo.push({ what: 'scheduler', run: () => Promise.resolve(clearInterval(timer)) });

    let closing: Promise<void> | undefined;
    return {
      dataDir,
      projectId,
      config,
      urls: { api: servers.urls.backfillApi, processChunk: servers.urls.processChunk, reconcile: servers.urls.reconcile },
      emulators: { firestore, pubsub: pubsubEmulator },
      topology,
      tickSeconds,
      exampleRange,
      tick,
      close: () => {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function openWarehouse(dataDir: string): Promise<DuckDbWarehouse> {
  try {
    return await DuckDbWarehouse.open({ path: join(dataDir, WAREHOUSE_FILE) });
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      throw new DevStackError(`${dataDir} is in use by another process (a \`backfill run\`, or another \`npm run dev\`): stop it, or pass another --data-dir`, { cause: error });
    }
    throw error;
  }
}

/** Raw data must be loaded; its first week with box scores makes the example commands. */
async function checkRawData(warehouse: DuckDbWarehouse, dataDir: string, asGiven: string): Promise<{ start: IsoDate; end: IsoDate } | null> {
  const ctx = warehouse.context('production');
  const { rows } = await warehouse.query<{ games: number; first: string | null }>({
    sql: `SELECT (SELECT COUNT(*) FROM ${ctx.raw('nbac_schedule')}) AS games, (SELECT CAST(MIN(game_date) AS VARCHAR) FROM ${ctx.raw('nbac_gamebook_player_stats')}) AS first`,
    params: {}, types: {}, label: 'dev_raw_loaded',
  });
  if (Number(rows[0]?.games ?? 0) === 0) {
    throw new DevStackError(`nba_raw.nbac_schedule is empty in ${dataDir}: load raw data first, e.g.\n  npm run backfill -- --data-dir ${asGiven} load-raw test/fixtures/raw`);
  }
  const first = rows[0]?.first;
  return first ? { start: first, end: addDaysIso(first, 6) } : null;
}

async function startEmulators(): Promise<[Emulator, Emulator]> {
  // This process stops them itself on Ctrl-C, after its clients are closed.
  const started = await Promise.allSettled([startFirestoreEmulator({ killOnSignal: false }), startPubSubEmulator({ killOnSignal: false })]);
  const [firestore, pubsub] = started;
  if (firestore.status === 'fulfilled' && pubsub.status === 'fulfilled') return [firestore.value, pubsub.value];
  await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : Promise.resolve())));
  throw firestore.status === 'rejected' ? firestore.reason : (pubsub as PromiseRejectedResult).reason;
}

async function startServers(apiPort: number, onResponse: (served: ServedRequest) => void): Promise<FunctionServers> {
  try {
    return await startFunctionServers({ host: HOST, ports: { backfillApi: apiPort }, onResponse });
  } catch (error) {
    throw portError(apiPort, error);
  }
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(portError(port, error)));
    probe.listen({ host: HOST, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

function portError(port: number, error: unknown): Error {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return error instanceof Error ? error : new Error(String(error));
  return new DevStackError(`port ${port} is in use: stop what holds it, or pass --port N (--port 0 takes any free port)`, { cause: error });
}

function logRequest(log: Logger, served: ServedRequest): void {
  const fields = { function: served.name, status: served.status, durationMs: served.durationMs };
  // Pushes come by the dozen; the API's requests are what a person sent.
  if (served.name === 'backfillApi') log.info(`${served.method} ${served.url}`, fields);
  else if (served.status >= 400) log.warn(`push to ${served.name} answered ${served.status} (Pub/Sub redelivers)`, fields);
  else log.debug(`push ${served.url}`, fields);
}
