import { join } from 'node:path';
import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import type { ServiceConfig } from '../shared/config/config.js';
import type { Clock } from '../shared/ports/clock.js';
import type { AlertSink } from '../shared/ports/alert-sink.js';
import type { AlertStore } from '../shared/ports/alert-store.js';
import type { Logger } from '../shared/log/logger.js';
import { createAlerter as createCoreAlerter, type Alerter } from '../shared/alerts/alerter.js';
import { FirestoreAlertStore } from '../adapters/firestore/firestore-alert-store.js';
import { PubSubAlertSink } from '../adapters/pubsub/pubsub-alert-sink.js';
import { WebhookAlertSink } from '../adapters/webhook/webhook-alert-sink.js';

export interface AlertingOptions {
  readonly config: ServiceConfig;
  readonly pubsub: PubSub;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The ledger's Firestore client, which the alert store shares (required with LEDGER=firestore). */
  readonly firestore?: Firestore;
}

/**
 * The alerter of the functions, from config: alerts go to ALERTS_TOPIC always (the primary sink) and
 * to ALERT_WEBHOOK_URL when set; alert states and history live beside the ledger (Firestore with
 * LEDGER=firestore, `<BACKFILL_DATA_DIR>/alerts.duckdb` otherwise).
 */
export async function createAlerter(options: AlertingOptions): Promise<Alerter> {
  const { config } = options;
  const sinks: AlertSink[] = [new PubSubAlertSink({ pubsub: options.pubsub, topic: config.topics.alerts })];
  if (config.alerts.webhookUrl) sinks.push(new WebhookAlertSink({ url: config.alerts.webhookUrl }));
  const store = await createAlertStore(config, options.firestore);
  return createCoreAlerter({
    store,
    sinks,
    clock: options.clock,
    logger: options.logger.child({ component: 'alerting' }),
    repeatAfterMs: config.alerts.repeatAfterMs,
  });
}

async function createAlertStore(config: ServiceConfig, firestore: Firestore | undefined): Promise<AlertStore> {
  if (config.ledger === 'local') {
    // Imported on demand, like the other DuckDB adapters (functions/service.ts).
    const { LocalAlertStore } = await import('../adapters/local/local-alert-store.js');
    return LocalAlertStore.open({ path: join(config.dataDir, 'alerts.duckdb') });
  }
  if (!firestore) throw new Error('LEDGER=firestore: the alert store needs the ledger\'s Firestore client');
  return new FirestoreAlertStore({ firestore, collectionPrefix: config.firestore.collectionPrefix, terminateOnClose: false });
}
