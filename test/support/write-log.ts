import type { ChunkMessage } from '../../shared/chunks/chunk-message.js';
import type { ProcessorHooks } from '../../shared/chunks/process-chunks.js';
import type { AnalyticsTableName } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';

export interface WriteEvent {
  readonly table: AnalyticsTableName;
  readonly date: IsoDate;
  readonly runId: string;
  /** Position among every write seen, from 0. */
  readonly seq: number;
  /** Epoch ms when the write was seen. */
  readonly at: number;
}

/**
 * Every partition write the processor makes, in order, seen from ProcessorHooks.afterWrite (after the
 * warehouse committed, before the checkpoint). `then` runs after recording: the place to inject a
 * fault between the write and the checkpoint.
 */
export class WriteLog {
  readonly events: WriteEvent[] = [];

  constructor(private readonly then?: (message: ChunkMessage, dates: readonly IsoDate[], log: WriteLog) => void | Promise<void>) {}

  readonly hooks: ProcessorHooks = {
    afterWrite: async (message, dates) => {
      for (const date of dates) this.events.push({ table: message.table, date, runId: message.runId, seq: this.events.length, at: Date.now() });
      await this.then?.(message, dates, this);
    },
  };

  count(table: AnalyticsTableName, date: IsoDate): number {
    return this.events.filter((e) => e.table === table && e.date === date).length;
  }

  /** Writes per `table date`. */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of this.events) out.set(`${e.table} ${e.date}`, (out.get(`${e.table} ${e.date}`) ?? 0) + 1);
    return out;
  }
}
