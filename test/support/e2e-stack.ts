import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { createService, setService, type Service } from '../../functions/service.js';
import { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { loadRawDirectory } from '../../adapters/duckdb/load-raw.js';
import { FirestoreLedger } from '../../adapters/firestore/firestore-ledger.js';
import { createJsonLogger } from '../../adapters/logging/pino-logger.js';
import { PubSubQueue } from '../../adapters/pubsub/pubsub-queue.js';
import { loadConfig, type ServiceConfig } from '../../shared/config/config.js';
import type { Logger } from '../../shared/log/logger.js';
import type { ChunkRecord } from '../../shared/ports/ledger.js';
import type { ChunkQueue } from '../../shared/ports/queue.js';
import { FIXTURE_RAW_DIR, tempDir } from './duckdb-fixtures.js';
import { TrackedWarehouse } from './tracked-warehouse.js';
import { WriteHookInjector, type WriteHooks } from './write-hooks.js';
import { firestoreClient, type Emulator } from '../../dev/emulators.js';
import type { FunctionServers } from '../../dev/function-servers.js';
import { createPushTopology, type PushTopology } from '../../dev/push-topology.js';

/**
 * One deployment of the service for an end-to-end test: its own project, collections, topics and
 * data dir on shared emulators and function servers, so tests (and two test runs at once) never meet.
 * The service is wired as the deployed functions wire it (functions/service.ts) with WAREHOUSE=duckdb
 * and LEDGER=firestore; only the clients are pointed at the emulators explicitly, so nothing is
 * read from or written to process.env.
 */
export interface E2eStackOptions {
  readonly firestore: Emulator;
  readonly pubsub: Emulator;
  readonly servers: FunctionServers;
  /** Config env on top of the test defaults (LEASE_MS 3000, COVERAGE_START off, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Wraps the Pub/Sub chunk queue the service publishes to. */
  readonly wrapQueue?: (queue: ChunkQueue) => ChunkQueue;
  /** Seen after each partition write, before its checkpoint (write-hooks.ts: a WorkerCrash there kills the worker). */
  readonly hooks?: WriteHooks;
  /** Raw CSVs to load into the warehouse; default the real-data fixture slices. */
  readonly rawDir?: string;
  /** Where the service logs; default JSON lines on stdout at LOG_LEVEL. */
  readonly logger?: Logger;
  /**
   * Let POST /backfills and retry publish their reconcile tick to the reconcile topic, as deployed.
   * Off by default, so a test decides every tick itself (the scheduler's messages, in its order).
   */
  readonly apiTick?: boolean;
}

export interface ApiResult {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  readonly json: unknown;
}

export interface E2eStack {
  readonly projectId: string;
  readonly prefix: string;
  readonly dataDir: string;
  readonly config: ServiceConfig;
  readonly service: Service;
  readonly warehouse: DuckDbWarehouse;
  /** The test's own Firestore client (another process's view of the ledger). */
  readonly db: Firestore;
  readonly topology: PushTopology;
  /** A request to the backfillApi server; `body` is sent as JSON unless it is a string (sent as given). */
  api(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResult>;
  /** Every chunk document in the ledger's collection, read directly. */
  chunkDocs(): Promise<ChunkRecord[]>;
  /** Document ids of every collection of this stack (ledger and alerts). */
  documentCount(): Promise<number>;
  /** A new service on the same warehouse, ledger and queue with more config, made current. */
  reconfigure(env: Readonly<Record<string, string>>): Promise<Service>;
  close(): Promise<void>;
}

export async function startE2eStack(options: E2eStackOptions): Promise<E2eStack> {
  const id = randomUUID().replaceAll('-', '').slice(0, 10);
  const projectId = `e2e-${id}`;
  const prefix = `e2e${id}_`;
  const dir = await tempDir('backfill-e2e-');
  const baseEnv: Record<string, string> = {
    WAREHOUSE: 'duckdb',
    LEDGER: 'firestore',
    BACKFILL_DATA_DIR: dir.path,
    GOOGLE_CLOUD_PROJECT: projectId,
    FIRESTORE_COLLECTION_PREFIX: prefix,
    CHUNKS_TOPIC: `chunks-${id}`,
    RECONCILE_TOPIC: `reconcile-${id}`,
    ALERTS_TOPIC: `alerts-${id}`,
    LEASE_MS: '3000',
    RETRY_BASE_MS: '200',
    COVERAGE_START: '',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    ...options.env,
  };
  const db = firestoreClient(options.firestore, { projectId });
  const pubsub = new PubSub({ projectId, apiEndpoint: options.pubsub.host, emulatorMode: true });
  // Undone last first: pushes stop before the service goes, the service before its clients.
  const closers: Array<() => Promise<unknown>> = [
    () => dir.remove(),
    () => db.terminate(),
    () => pubsub.close(),
  ];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await withinTime(close(), CLOSE_STEP_MS);
  };

  try {
    const config = loadConfig(baseEnv);
    const logger = options.logger ?? createJsonLogger({ level: config.logLevel });
    const chunkQueue = new PubSubQueue({ pubsub, topic: config.topics.chunks });
    const queue = options.wrapQueue ? options.wrapQueue(chunkQueue) : chunkQueue;
    const firestoreLedger = new FirestoreLedger({ firestore: db, collectionPrefix: prefix });
    const injector = options.hooks ? new WriteHookInjector(options.hooks) : undefined;
    const ledger = injector ? injector.ledger(firestoreLedger) : firestoreLedger;
    closers.push(() => deleteCollections(db, prefix), () => ledger.close(), () => queue.close());
    // Without apiTick, POST /backfills starts nothing: the test ticks reconcile itself.
    const overrides = { ledger, queue, logger, clients: { firestore: db, pubsub }, ...(options.apiTick ? {} : { reconcileTrigger: { requestReconcile: () => Promise.resolve() } }) };
    // The rest is wired as deployed: the warehouse from config (WAREHOUSE=duckdb in BACKFILL_DATA_DIR), the
    // alerter on the ledger's Firestore client, the reconcile trigger on the reconcile topic.
    const service = await createService(config, overrides);
    closers.push(() => service.close());
    const warehouse = service.warehouse;
    if (!(warehouse instanceof DuckDbWarehouse)) throw new Error('WAREHOUSE=duckdb did not give a DuckDB warehouse');
    // The functions get the warehouse through a counter, so closing waits for the handlers still at
    // work (a push delivered just before the subscriptions went) before it closes the engine.
    const tracked = new TrackedWarehouse(warehouse);
    closers.push(() => tracked.idle());
    const served = injector ? injector.warehouse(tracked) : tracked;
    const serving = (s: Service): Service => ({ ...s, warehouse: served });
    await loadRawDirectory(warehouse, options.rawDir ?? FIXTURE_RAW_DIR);
    setService(serving(service));
    closers.push(() => Promise.resolve(setService(null)));
    const topology = await createPushTopology({ pubsub, projectId, topics: config.topics, servers: options.servers });
    closers.push(() => topology.delete());

    let current = serving(service);
    const stack: E2eStack = {
      projectId,
      prefix,
      dataDir: dir.path,
      get config() {
        return current.config;
      },
      get service() {
        return current;
      },
      warehouse,
      db,
      topology,
      api: (method, path, body, contentType) => callApi(options.servers.urls.backfillApi, method, path, body, contentType),
      async chunkDocs() {
        const snapshot = await db.collection(`${prefix}chunks`).get();
        return snapshot.docs.map((d) => ({ id: d.id, ...d.data() }) as ChunkRecord);
      },
      async documentCount() {
        const collections = (await db.listCollections()).filter((c) => c.id.startsWith(prefix));
        const counts = await Promise.all(collections.map(async (c) => (await c.count().get()).data().count));
        return counts.reduce((a, b) => a + b, 0);
      },
      async reconfigure(env) {
        const config = loadConfig({ ...baseEnv, ...env });
        current = serving(await createService(config, { ...overrides, warehouse, alerter: service.alerter, reconcileTrigger: service.reconcileTrigger, instanceId: service.instanceId }));
        setService(current);
        return current;
      },
      close: closeAll,
    };
    return stack;
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** A step of close() that hangs (a client retrying against an emulator a test killed) is given up. */
const CLOSE_STEP_MS = 15_000;

async function withinTime(step: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([step.then(() => undefined, () => undefined), expired]);
  clearTimeout(timer);
}

async function callApi(base: string, method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResult> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(30_000) };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': contentType ?? 'application/json' };
  }
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  let json: unknown;
  if (type.includes('json')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, contentType: type, text, json };
}

async function deleteCollections(db: Firestore, prefix: string): Promise<void> {
  const collections = (await db.listCollections()).filter((c) => c.id.startsWith(prefix));
  await Promise.all(collections.map((c) => db.recursiveDelete(c)));
}
