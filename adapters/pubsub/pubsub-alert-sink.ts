import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { AlertEvent } from '../../shared/alerts/alert-event.js';
import type { AlertSink } from '../../shared/ports/alert-sink.js';

export interface PubSubAlertSinkOptions {
  readonly pubsub: PubSub;
  /** The topic's name (config ALERTS_TOPIC), not its full path. */
  readonly topic: string;
}

/**
 * One message per event on the alerts topic: data is the event's JSON (AlertEventSchema, version 1),
 * attributes `type`, `table`, `fingerprint` and `mode`, so a subscription can filter without parsing.
 * Alerts are rare and each must go out now: no batching.
 */
export class PubSubAlertSink implements AlertSink {
  readonly name = 'pubsub';
  private readonly topic: Topic;

  constructor(options: PubSubAlertSinkOptions) {
    this.topic = options.pubsub.topic(options.topic, { batching: { maxMessages: 1 } });
  }

  /** Resolves with Pub/Sub holding the message; rejects with the client's error (its gRPC code kept). */
  async send(event: AlertEvent): Promise<void> {
    await this.topic.publishMessage({
      data: Buffer.from(JSON.stringify(event)),
      attributes: { type: event.type, table: event.table, fingerprint: event.fingerprint, mode: event.scope.mode },
    });
  }
}
