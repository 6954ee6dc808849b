import { setTimeout as sleep } from 'node:timers/promises';
import { AlertEventSchema, type AlertEvent } from '../../../shared/alerts/alert-event.js';
import type { Emulator } from '../../../dev/emulators.js';

export interface PulledAlert {
  readonly event: AlertEvent;
  readonly attributes: Readonly<Record<string, string>>;
}

interface PullResponse {
  readonly receivedMessages?: Array<{ ackId: string; message: { data?: string; attributes?: Record<string, string> } }>;
}

/**
 * A subscription on the alerts topic of the Pub/Sub emulator, pulled synchronously through the
 * emulator's REST API, so a test can count exactly what was published: drain() pulls and acks until
 * the subscription stays empty for `quietMs`.
 */
export class AlertSubscription {
  private constructor(private readonly emulator: Emulator, readonly name: string) {}

  /** Creates the subscription on an existing topic. */
  static async create(emulator: Emulator, topic: string, name: string): Promise<AlertSubscription> {
    const subscription = new AlertSubscription(emulator, name);
    await subscription.call('PUT', '', { topic: `projects/${emulator.projectId}/topics/${topic}`, ackDeadlineSeconds: 60 });
    return subscription;
  }

  async drain(quietMs = 750): Promise<PulledAlert[]> {
    const pulled: PulledAlert[] = [];
    let quietSince = Date.now();
    while (Date.now() - quietSince < quietMs) {
      const response = (await this.call('POST', ':pull', { maxMessages: 100, returnImmediately: true })) as PullResponse;
      const messages = response.receivedMessages ?? [];
      if (messages.length === 0) {
        await sleep(50);
        continue;
      }
      for (const { message } of messages) {
        const json: unknown = JSON.parse(Buffer.from(message.data ?? '', 'base64').toString('utf8'));
        pulled.push({ event: AlertEventSchema.parse(json), attributes: message.attributes ?? {} });
      }
      await this.call('POST', ':acknowledge', { ackIds: messages.map((m) => m.ackId) });
      quietSince = Date.now();
    }
    return pulled;
  }

  async delete(): Promise<void> {
    await this.call('DELETE', '', undefined);
  }

  private async call(method: string, verb: string, body: unknown): Promise<unknown> {
    const url = `http://${this.emulator.host}/v1/projects/${this.emulator.projectId}/subscriptions/${this.name}${verb}`;
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Pub/Sub emulator ${method} ${verb || 'subscription'}: HTTP ${response.status} ${text}`);
    return text.trim() ? (JSON.parse(text) as unknown) : {};
  }
}
