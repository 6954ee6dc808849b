import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { BigQuery } from '@google-cloud/bigquery';
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { loadConfig, type ServiceConfig } from '../shared/config/config.js';
import { systemClock, type Clock } from '../shared/ports/clock.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { ChunkQueue } from '../shared/ports/queue.js';
import type { Warehouse } from '../shared/ports/warehouse.js';
import type { Logger } from '../shared/log/logger.js';
import { createJsonLogger } from '../adapters/logging/pino-logger.js';
import { BigQueryWarehouse } from '../adapters/bigquery/bigquery-warehouse.js';
import { FirestoreLedger } from '../adapters/firestore/firestore-ledger.js';
import { PubSubQueue } from '../adapters/pubsub/pubsub-queue.js';
import { PubSubReconcileTrigger } from '../adapters/pubsub/pubsub-reconcile-trigger.js';
import type { ReconcileTrigger } from '../shared/ports/reconcile-trigger.js';
import { SCHEDULER_MESSAGES } from './manifest.js';
import type { Alerter } from '../shared/alerts/alerter.js';
import { createAlerter } from './alerting.js';

/** Everything a function needs, built once per instance from config. */
export interface Service {
  readonly config: ServiceConfig;
  readonly warehouse: Warehouse;
  readonly ledger: Ledger;
  readonly queue: ChunkQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly alerter: Alerter;
  /** Starts a reconcile tick now (the API, when it starts or resumes a run); absent: wait for the scheduler. */
  readonly reconcileTrigger?: ReconcileTrigger;
  /** Identifies this instance's claims on chunks. */
  readonly instanceId: string;
  /** Closes what createService made (never what it was given: overrides and clients belong to the caller). */
  close(): Promise<void>;
}

/** Clients made elsewhere (the dev stack and the e2e tests point them at the emulators); absent: made from config. */
export interface ServiceClients {
  readonly firestore?: Firestore;
  readonly pubsub?: PubSub;
  readonly bigquery?: BigQuery;
}

export interface ServiceOverrides extends Partial<Omit<Service, 'config'>> {
  readonly clients?: ServiceClients;
}

let current: Promise<Service> | null = null;

/** The instance's service, created on first use (cold start) from process.env. */
export function getService(): Promise<Service> {
  current ??= createService(loadConfig(process.env)).catch((error: unknown) => {
    current = null;
    throw error;
  });
  return current;
}

/** Tests and the local stack inject their own wiring. */
export function setService(service: Service | Promise<Service> | null): void {
  current = service === null ? null : Promise.resolve(service);
}

/**
 * The one composition root: every entry point that runs the functions (the deployed functions, `npm run dev`,
 * the e2e tests) builds its service here, from config and whatever it already holds. One Firestore client
 * serves the ledger and the alert store, one Pub/Sub client the chunk queue, the alerts and the reconcile trigger.
 */
export async function createService(config: ServiceConfig, overrides: ServiceOverrides = {}): Promise<Service> {
  const logger = overrides.logger ?? createJsonLogger({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const projectId = config.projectId;
  const clients = overrides.clients ?? {};
  const firestore = config.ledger === 'firestore' ? (clients.firestore ?? firestoreOf(config)) : undefined;
  const warehouse = overrides.warehouse ?? (await createWarehouse(config, clients.bigquery));
  const ledger = overrides.ledger ?? (await createLedger(config, firestore));
  const pubsub = clients.pubsub ?? new PubSub(projectId ? { projectId } : {});
  const queue = overrides.queue ?? new PubSubQueue({ pubsub, topic: config.topics.chunks });
  const alerter = overrides.alerter ?? (await createAlerter({ config, pubsub, logger, clock, ...(firestore ? { firestore } : {}) }));
  const reconcileTrigger = overrides.reconcileTrigger ?? new PubSubReconcileTrigger({ pubsub, topic: config.topics.reconcile, message: SCHEDULER_MESSAGES.reconcile });
  const made = [
    overrides.alerter ? null : alerter,
    overrides.queue ? null : queue,
    overrides.ledger ? null : ledger,
    overrides.warehouse ? null : warehouse,
  ].filter((part) => part !== null);
  return {
    config, warehouse, ledger, queue, clock, logger, alerter, reconcileTrigger,
    instanceId: overrides.instanceId ?? `fn-${randomUUID().slice(0, 12)}`,
    async close() {
      // In this order: the alerter and the queue may still write to the ledger while they drain.
      for (const part of made) await part.close();
      if (!clients.firestore && firestore) await firestore.terminate();
      if (!clients.pubsub) await pubsub.close();
    },
  };
}

/*
 * The DuckDB adapters (warehouse, local ledger, local alert store) are imported only when config asks for
 * them: @duckdb/node-api loads a native library of ~70 MB, which a function on BigQuery and Firestore
 * would otherwise load on every cold start for nothing (test/functions/cold-start.test.ts checks it).
 */
async function createWarehouse(config: ServiceConfig, client: BigQuery | undefined): Promise<Warehouse> {
  if (config.warehouse === 'duckdb') {
    mkdirSync(config.dataDir, { recursive: true });
    const { DuckDbWarehouse } = await import('../adapters/duckdb/duckdb-warehouse.js');
    return DuckDbWarehouse.open({ path: join(config.dataDir, 'warehouse.duckdb') });
  }
  if (!config.projectId) throw new Error('GOOGLE_CLOUD_PROJECT is required with WAREHOUSE=bigquery');
  return new BigQueryWarehouse(client ?? new BigQuery({ projectId: config.projectId, location: config.bigQueryLocation }), {
    projectId: config.projectId,
    location: config.bigQueryLocation,
  });
}

async function createLedger(config: ServiceConfig, firestore: Firestore | undefined): Promise<Ledger> {
  if (!firestore) {
    mkdirSync(config.dataDir, { recursive: true });
    const { LocalLedger } = await import('../adapters/local/local-ledger.js');
    return LocalLedger.open({ path: join(config.dataDir, 'ledger.duckdb') });
  }
  return new FirestoreLedger({ firestore, collectionPrefix: config.firestore.collectionPrefix });
}

function firestoreOf(config: ServiceConfig): Firestore {
  return new Firestore({ ...(config.projectId ? { projectId: config.projectId } : {}), databaseId: config.firestore.database });
}
