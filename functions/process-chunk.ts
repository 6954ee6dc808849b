import type { CloudEvent } from '@google-cloud/functions-framework';
import { createChunkProcessor, type ChunkProcessor } from '../shared/chunks/process-chunks.js';
import { decodeChunkMessage } from '../shared/chunks/chunk-message.js';
import { InvalidInputError } from '../shared/input/invalid-input.js';
import { processorOptionsFrom } from '../shared/config/wiring.js';
import { TransientError } from '../shared/errors/errors.js';
import { decodePubSubEvent } from './pubsub-event.js';
import { rateLimitedNudge } from '../shared/reconcile/nudge.js';
import { getService, type Service } from './service.js';

const processors = new WeakMap<Service, ChunkProcessor>();

function processorOf(service: Service): ChunkProcessor {
  let processor = processors.get(service);
  if (!processor) {
    processor = createChunkProcessor(service, {
      ...processorOptionsFrom(service.config.limits, service.instanceId),
      // A finished job may unblock work: reconcile now rather than at the next scheduler minute.
      ...(service.reconcileTrigger ? { onDone: rateLimitedNudge(service.reconcileTrigger, service.clock, service.logger) } : {}),
    });
    processors.set(service, processor);
  }
  return processor;
}

/**
 * Pub/Sub trigger on the chunks topic. Returns to acknowledge (done, duplicate, or a permanent
 * error recorded); throws to have Pub/Sub redeliver (transient or quota).
 */
export async function processChunk(event: CloudEvent<unknown>): Promise<void> {
  const service = await getService();
  const log = service.logger.child({ function: 'processChunk', eventId: event.id });
  const decoded = decodePubSubEvent(event.data);
  if ('error' in decoded) {
    log.error('poison event acknowledged', { error: decoded.error });
    return;
  }
  let message;
  try {
    message = decodeChunkMessage(decoded.data);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      log.error('bad chunk message acknowledged (permanent)', { error: error.message, messageId: decoded.messageId, attributes: decoded.attributes });
      return;
    }
    throw error;
  }
  // Pub/Sub's publish time is the truth for the event's age when it is there.
  const stamped = decoded.publishedAt !== undefined ? { ...message, publishedAt: Math.min(message.publishedAt, decoded.publishedAt) } : message;
  const outcome = await processorOf(service).process(stamped);
  if (!outcome.ack) {
    throw new TransientError(`chunk message to be redelivered: ${outcome.error ?? 'transient failure'}`);
  }
}
