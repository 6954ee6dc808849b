import { z } from 'zod';
import { ANALYTICS_TABLES, RUN_MODES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import { isIsoDate, type IsoDate } from '../util/dates.js';
import { LIMITS } from '../config/defaults.js';
import { parseJsonInput } from '../input/invalid-input.js';

/**
 * One message of work: one table, one mode, one or more game dates (each its own chunk and checkpoint).
 * The same JSON travels in Pub/Sub's `data` and through the in-process queue.
 */
export const ChunkMessageSchema = z
  .object({
    v: z.literal(1),
    runId: z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/),
    table: z.enum(ANALYTICS_TABLES),
    mode: z.enum(RUN_MODES),
    dates: z.array(z.string().refine(isIsoDate, 'must be YYYY-MM-DD')).min(1).max(LIMITS.maxDatesPerJob),
    publishedAt: z.number().int().nonnegative(),
    /** Wait this long before sending the job, so a table's jobs queue in date order (job-size.ts `queueOrderHoldMs`). */
    holdMs: z.number().int().nonnegative().max(LIMITS.maxHoldMs).optional(),
  })
  .strict();

export interface ChunkMessage {
  readonly v: 1;
  readonly runId: string;
  readonly table: AnalyticsTableName;
  readonly mode: RunMode;
  readonly dates: readonly IsoDate[];
  readonly publishedAt: number;
  readonly holdMs?: number;
}

export interface EncodedMessage {
  readonly data: Buffer;
  readonly attributes: Record<string, string>;
}

export function encodeChunkMessage(message: ChunkMessage): EncodedMessage {
  return {
    data: Buffer.from(JSON.stringify(message)),
    attributes: { table: message.table, mode: message.mode, runId: message.runId, kind: 'chunk' },
  };
}

/** Decode and validate; a message that does not parse is permanent: InvalidInputError ("invalid chunk message"). */
export function decodeChunkMessage(data: Buffer | string): ChunkMessage {
  return parseJsonInput(ChunkMessageSchema, typeof data === 'string' ? data : data.toString('utf8'), 'chunk message');
}
