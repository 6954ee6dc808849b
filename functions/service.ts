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

export async function createService(config: ServiceConfig, overrides: Partial<Service> = {}): Promise<Service> {
  const logger = overrides.logger ?? createJsonLogger({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const projectId = config.projectId;
  const warehouse = overrides.warehouse ?? (await createWarehouse(config));
  const ledger = overrides.ledger ?? (await createLedger(config));
  const pubsub = new PubSub(projectId ? { projectId } : {});
  const queue = overrides.queue ?? new PubSubQueue({ pubsub, topic: config.topics.chunks });
  const alerter = overrides.alerter ?? (await createAlerter({ config, pubsub, logger, clock }));
  const reconcileTrigger = overrides.reconcileTrigger ?? new PubSubReconcileTrigger({ pubsub, topic: config.topics.reconcile, message: SCHEDULER_MESSAGES.reconcile });
  return {
    config, warehouse, ledger, queue, clock, logger, alerter, reconcileTrigger,
    instanceId: overrides.instanceId ?? `fn-${randomUUID().slice(0, 12)}`,
  };
}

/*
 * The DuckDB adapters (warehouse, local ledger, local alert store) are imported only when config asks for
 * them: @duckdb/node-api loads a native library of ~70 MB, which a function on BigQuery and Firestore
 * would otherwise load on every cold start for nothing (test/functions/cold-start.test.ts checks it).
 */
async function createWarehouse(config: ServiceConfig): Promise<Warehouse> {
  if (config.warehouse === 'duckdb') {
    mkdirSync(config.dataDir, { recursive: true });
    const { DuckDbWarehouse } = await import('../adapters/duckdb/duckdb-warehouse.js');
    return DuckDbWarehouse.open({ path: join(config.dataDir, 'warehouse.duckdb') });
  }
  if (!config.projectId) throw new Error('GOOGLE_CLOUD_PROJECT is required with WAREHOUSE=bigquery');
  return new BigQueryWarehouse(new BigQuery({ projectId: config.projectId, location: config.bigQueryLocation }), {
    projectId: config.projectId,
    location: config.bigQueryLocation,
  });
}

async function createLedger(config: ServiceConfig): Promise<Ledger> {
  if (config.ledger === 'local') {
    mkdirSync(config.dataDir, { recursive: true });
    const { LocalLedger } = await import('../adapters/local/local-ledger.js');
    return LocalLedger.open({ path: join(config.dataDir, 'ledger.duckdb') });
  }
  const firestore = new Firestore({ ...(config.projectId ? { projectId: config.projectId } : {}), databaseId: config.firestore.database });
  return new FirestoreLedger({ firestore, collectionPrefix: config.firestore.collectionPrefix });
}
