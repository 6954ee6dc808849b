import type { ChunkRecord, ChunkTransition, Ledger } from '../../shared/ports/ledger.js';
import type { ReplacePartitionsRequest, ReplacePartitionsResult, Warehouse } from '../../shared/ports/warehouse.js';
import { chunkId } from '../../shared/planning/ids.js';
import type { AnalyticsTableName, RunMode } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';

/**
 * Fault injection between a warehouse write and its checkpoint, from outside the product: the processor
 * has no hook for it. The test wraps the warehouse and the ledger the service is given:
 *
 * - after each replacePartitions has committed (and before the processor reads it back and checkpoints),
 *   `afterWrite` sees the write;
 * - a WorkerCrash thrown there kills the worker at that point: the write stays, and the dead worker's
 *   checkpoints of those chunks never reach the ledger (every transition conditioned on its lease is
 *   refused with the same WorkerCrash, which the processor passes on), so the chunks stay running under
 *   their lease, exactly what a killed instance leaves, until someone claims them again.
 *
 * Transitions not conditioned on the dead lease (reconcile taking back an expired lease, a new claim)
 * go through, as they would in production.
 */

/** The worker died here: nothing it would do after this lands. */
export class WorkerCrash extends Error {
  override readonly name = 'WorkerCrash';
}

/** One replacePartitions the warehouse has just committed. */
export interface PartitionWrite {
  readonly table: AnalyticsTableName;
  readonly mode: RunMode;
  /** The processor's run_id job label. */
  readonly runId: string;
  readonly dates: readonly IsoDate[];
}

export interface WriteHooks {
  afterWrite(write: PartitionWrite): void | Promise<void>;
}

export class WriteHookInjector {
  /** Chunks whose lease holder was killed, until they are claimed again. */
  private readonly dead = new Map<string, WorkerCrash>();

  constructor(private readonly hooks: WriteHooks) {}

  warehouse(inner: Warehouse): Warehouse {
    const replacePartitions = async (request: ReplacePartitionsRequest): Promise<ReplacePartitionsResult> => {
      const result = await inner.replacePartitions(request);
      const write = { table: request.table.name, mode: request.mode, runId: request.labels.run_id ?? '', dates: request.dates };
      try {
        await this.hooks.afterWrite(write);
      } catch (error) {
        if (error instanceof WorkerCrash) for (const date of write.dates) this.dead.set(chunkId(write.table, date, write.mode), error);
        throw error;
      }
      return result;
    };
    return intercept(inner, { replacePartitions });
  }

  ledger(inner: Ledger): Ledger {
    const transition = async (transitions: readonly ChunkTransition[]): Promise<ChunkRecord[]> => {
      const refused = transitions.find((t) => t.leaseOwner !== undefined && this.dead.has(t.id));
      if (refused) throw this.dead.get(refused.id) as WorkerCrash;
      const changed = await inner.transition(transitions);
      for (const chunk of changed) if (chunk.state === 'running') this.dead.delete(chunk.id);
      return changed;
    };
    return intercept(inner, { transition });
  }
}

/** `inner` with some of its methods replaced; every other member is inner's own, bound to it. */
function intercept<T extends object>(inner: T, replaced: Partial<T>): T {
  return new Proxy(inner, {
    get(target, property) {
      if (Object.hasOwn(replaced, property)) return replaced[property as keyof T];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
