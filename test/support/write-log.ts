import type { AnalyticsTableName } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';
import type { PartitionWrite, WriteHooks } from './write-hooks.js';

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
 * Every partition write the processor makes, in order, seen from WriteHooks.afterWrite (after the
 * warehouse committed, before the checkpoint; see write-hooks.ts). `then` runs after recording: the
 * place to inject a fault between the write and the checkpoint.
 */
export class WriteLog {
  readonly events: WriteEvent[] = [];

  constructor(private readonly then?: (write: PartitionWrite, log: WriteLog) => void | Promise<void>) {}

  readonly hooks: WriteHooks = {
    afterWrite: async (write) => {
      for (const date of write.dates) this.events.push({ table: write.table, date, runId: write.runId, seq: this.events.length, at: Date.now() });
      await this.then?.(write, this);
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
