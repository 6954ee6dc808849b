import { z } from 'zod';
import { problemLines } from '../shared/input/invalid-input.js';

/**
 * The CloudEvent data of a Pub/Sub-triggered function (also what functions-framework makes of a raw
 * push to /projects/P/topics/T).
 */
export const PubSubEventDataSchema = z.object({
  message: z.object({
    data: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
    publishTime: z.string().optional(),
  }),
  subscription: z.string().optional(),
});

export interface DecodedPubSubEvent {
  readonly data: Buffer;
  readonly attributes: Record<string, string>;
  readonly messageId: string | undefined;
  /** Epoch ms of the publish, when Pub/Sub said. */
  readonly publishedAt: number | undefined;
}

export function decodePubSubEvent(data: unknown): DecodedPubSubEvent | { error: string } {
  const parsed = PubSubEventDataSchema.safeParse(data);
  if (!parsed.success) return { error: `not a Pub/Sub event: ${problemLines(parsed.error, { root: 'event' }).join('; ')}` };
  const { message } = parsed.data;
  const published = message.publishTime ? Date.parse(message.publishTime) : Number.NaN;
  return {
    data: Buffer.from(message.data ?? '', 'base64'),
    attributes: message.attributes ?? {},
    messageId: message.messageId,
    publishedAt: Number.isFinite(published) ? published : undefined,
  };
}

/** Seconds an event waited since Pub/Sub published it; undefined when the publish time is unknown. */
export function eventAgeSeconds(event: Pick<DecodedPubSubEvent, 'publishedAt'>, nowMs: number): number | undefined {
  return event.publishedAt === undefined ? undefined : Math.max(0, (nowMs - event.publishedAt) / 1000);
}
