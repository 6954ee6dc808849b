import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { ReconcileTrigger } from '../../shared/ports/reconcile-trigger.js';

export interface PubSubReconcileTriggerOptions {
  readonly pubsub: PubSub;
  /** The reconcile topic's name (config RECONCILE_TOPIC). */
  readonly topic: string;
  /** What Cloud Scheduler publishes for a tick (functions/manifest.ts SCHEDULER_MESSAGES.reconcile). */
  readonly message: Readonly<Record<string, unknown>>;
}

/** Publishes the scheduler's own reconcile message to the reconcile topic, marked as coming from elsewhere. */
export class PubSubReconcileTrigger implements ReconcileTrigger {
  private readonly topic: Topic;
  private readonly message: Readonly<Record<string, unknown>>;

  constructor(options: PubSubReconcileTriggerOptions) {
    this.topic = options.pubsub.topic(options.topic);
    this.message = options.message;
  }

  async requestReconcile(): Promise<void> {
    await this.topic.publishMessage({ json: this.message, attributes: { source: 'backfillApi' } });
  }
}
