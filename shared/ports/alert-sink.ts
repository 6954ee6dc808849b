import type { AlertEvent } from '../alerts/alert-event.js';

/**
 * Where alert events go: Pub/Sub (the primary, durable one) in the cloud, a chat webhook beside it.
 * The alerter decides what to send and when; a sink only delivers.
 */
export interface AlertSink {
  /** Short name for logs: `pubsub`, `webhook`. */
  readonly name: string;
  /** Resolves once the destination has taken the event; rejects (with the reason) otherwise. */
  send(event: AlertEvent): Promise<void>;
}
