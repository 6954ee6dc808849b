import { ALERT_DEFAULTS } from '../../shared/alerts/alert-defaults.js';
import type { AlertEvent } from '../../shared/alerts/alert-event.js';
import { alertText } from '../../shared/alerts/alert-text.js';
import { TransientError } from '../../shared/errors/errors.js';
import type { AlertSink } from '../../shared/ports/alert-sink.js';

export interface WebhookAlertSinkOptions {
  /** ALERT_WEBHOOK_URL: a Slack incoming webhook, or anything that takes a JSON `{ "text": ... }` POST. */
  readonly url: string;
  readonly timeoutMs?: number;
  /** The global fetch unless told (tests). */
  readonly fetch?: typeof fetch;
}

/** The webhook did not take the event. The message never holds the URL: for Slack the URL is the secret. */
export class WebhookError extends TransientError {
  override readonly name = 'WebhookError';
  constructor(message: string, readonly status: number | null, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** How much of an error response's body is kept in the error. */
const BODY_EXCERPT_CHARS = 200;

/** Posts each event as a chat message (alert-text.ts). A non-2xx answer or no answer in time is an error. */
export class WebhookAlertSink implements AlertSink {
  readonly name = 'webhook';
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(options: WebhookAlertSinkOptions) {
    this.url = options.url;
    this.timeoutMs = options.timeoutMs ?? ALERT_DEFAULTS.webhookTimeoutMs;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async send(event: AlertEvent): Promise<void> {
    let response: Response;
    try {
      response = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: alertText(event) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') {
        throw new WebhookError(`the alert webhook did not answer within ${this.timeoutMs} ms`, null, { cause: error });
      }
      const why = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new WebhookError(`the alert webhook could not be reached: ${why}`, null, { cause: error });
    }
    const body = await response.text().catch(() => '');
    if (!response.ok) {
      throw new WebhookError(`the alert webhook answered HTTP ${response.status}: ${body.slice(0, BODY_EXCERPT_CHARS)}`, response.status);
    }
  }
}
