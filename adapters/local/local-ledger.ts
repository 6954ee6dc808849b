import { IN_FLIGHT_STATES, isIn, type ChunkState, type RunState } from '../../shared/chunks/chunk-state.js';
import type { AnalyticsTableName } from '../../shared/tables/names.js';
import { systemClock, type Clock } from '../../shared/ports/clock.js';
import { assertStateKey } from '../../shared/ledger/ledger-records.js';
import type { ChunkCount, ChunkQuery, ChunkRecord, ChunkTransition, Ledger, NewChunk, RunRecord, ServiceState } from '../../shared/ports/ledger.js';
import { LedgerFile, type RecordVersion } from './ledger-file.js';
import {
  applyTransition, chunkFromData, chunkListOrder, compareRunsNewestFirst, frozenChunk, frozenRun, matchesChunkQuery,
  newChunkRecord, runChanges, runFromData, runPatchApplies, tallyByTable, tallyChunks, type RunPatch,
} from '../../shared/ledger/ledger-records.js';

export interface LocalLedgerOptions {
  /** A DuckDB file (created, with its folder, if missing), e.g. `<dataDir>/ledger.duckdb`; ':memory:' for none. */
  readonly path: string;
  /** Stamps `updatedAt` when a patch does not carry one. */
  readonly clock?: Clock;
  /** When to compact the file's log: past minVersions and past ratio versions per record. */
  readonly compaction?: { readonly minVersions?: number; readonly ratio?: number };
  /** Write nothing (`status`, `verify`): works on a full disk; changes reject. A missing file reads as empty. */
  readonly readOnly?: boolean;
  /**
   * The caller is the only process that can drive the runs of this file: it holds the file's lock (DuckDB
   * lets one process write a file, and no process write it while others read it). So a run recorded
   * active was left by a process that ended: show it interrupted, and its queued or running chunks
   * pending with no lease (what a resume does with them, without spending an attempt). In memory only:
   * the file keeps what the process wrote until the run or chunk changes again. The CLI opens its data
   * dir this way; a ledger shared by functions (LEDGER=local) does not, and reconcile expires leases.
   */
  readonly interruptOrphans?: boolean;
}

const INTERRUPTED_OUTCOME = 'the process running it ended before it finished; run the same command again to resume it';

export class LedgerClosedError extends Error {
  override readonly name = 'LedgerClosedError';
}

export const LOCAL_LEDGER_COMPACTION = {
  /** Below this many versions the log is not worth compacting. */
  minVersions: 20_000,
  ratio: 4,
} as const;

/**
 * The ledger of one machine. This process holds the DuckDB file's lock, so it is the only writer:
 * the records live in memory, where reads and compare-and-sets are answered, and every change is
 * appended to the file before the call resolves (a crash after a resolved call loses nothing).
 * Changes are applied one call at a time, so two concurrent transitions of a chunk never both win.
 */
export class LocalLedger implements Ledger {
  private readonly runs = new Map<string, RunRecord>();
  private readonly chunks = new Map<string, ChunkRecord>();
  private readonly states = new Map<string, ServiceState>();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Chunks found queued or running at open, put back to pending, by run. */
  private readonly orphans = new Map<string, number>();

  private constructor(
    private readonly file: LedgerFile,
    private readonly clock: Clock,
    private readonly compaction: { readonly minVersions: number; readonly ratio: number },
  ) {}

  static async open(options: LocalLedgerOptions): Promise<LocalLedger> {
    const file = await LedgerFile.open(options.path, { readOnly: options.readOnly === true });
    try {
      const ledger = new LocalLedger(file, options.clock ?? systemClock, {
        minVersions: options.compaction?.minVersions ?? LOCAL_LEDGER_COMPACTION.minVersions,
        ratio: options.compaction?.ratio ?? LOCAL_LEDGER_COMPACTION.ratio,
      });
      for (const stored of await file.load()) {
        if (stored.kind === 'run') ledger.runs.set(stored.id, frozenRun(runFromData(stored.id, stored.doc)));
        else if (stored.kind === 'state') ledger.states.set(stored.id, Object.freeze(structuredClone(stored.doc)));
        else ledger.chunks.set(stored.id, frozenChunk(chunkFromData(stored.id, stored.doc)));
      }
      if (options.interruptOrphans) ledger.interruptOrphans();
      await ledger.compactIfDue();
      return ledger;
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  get path(): string {
    return this.file.path;
  }

  /** Chunks of the run that its interrupted process had left queued or running (see `interruptOrphans`). */
  orphanedChunks(runId: string): number {
    return this.orphans.get(runId) ?? 0;
  }

  private interruptOrphans(): void {
    const now = this.clock.now();
    for (const [id, run] of this.runs) {
      if (run.state === 'active') this.runs.set(id, frozenRun({ ...run, state: 'interrupted', outcome: INTERRUPTED_OUTCOME }));
    }
    for (const [id, chunk] of this.chunks) {
      if (!isIn(IN_FLIGHT_STATES, chunk.state)) continue;
      const next = applyTransition(chunk, {
        id, from: IN_FLIGHT_STATES, to: 'pending', patch: { leaseOwner: null, leaseExpiresAt: null, queuedAt: null },
      }, now);
      if (!next) continue;
      this.chunks.set(id, frozenChunk(next));
      for (const runId of chunk.runIds) this.orphans.set(runId, (this.orphans.get(runId) ?? 0) + 1);
    }
  }

  createRun(run: RunRecord, chunks: readonly NewChunk[]): Promise<{ run: RunRecord; created: boolean; chunksAdded: number }> {
    return this.serially(async () => {
      const now = this.clock.now();
      const existing = this.runs.get(run.id);
      const stored = existing ?? frozenRun(structuredClone(run));
      const changed = new Map<string, ChunkRecord>();
      let chunksAdded = 0;
      for (const chunk of chunks) {
        if (changed.has(chunk.id)) continue;
        const current = this.chunks.get(chunk.id);
        if (!current) {
          changed.set(chunk.id, frozenChunk(newChunkRecord(chunk, run.id, now)));
          chunksAdded += 1;
        } else if (!current.runIds.includes(run.id)) {
          changed.set(chunk.id, frozenChunk({ ...current, runIds: [...current.runIds, run.id] }));
        }
      }
      const versions: RecordVersion[] = [...changed.values()].map(chunkVersion);
      // One append: the run and its chunks are stored together or not at all.
      if (!existing) versions.push(runVersion(stored));
      await this.persist(versions);
      if (!existing) this.runs.set(run.id, stored);
      for (const chunk of changed.values()) this.chunks.set(chunk.id, chunk);
      await this.compactIfDue();
      return { run: stored, created: !existing, chunksAdded };
    });
  }

  getRun(runId: string): Promise<RunRecord | null> {
    return this.read(() => this.runs.get(runId) ?? null);
  }

  listRuns(options: { states?: readonly RunState[]; limit?: number } = {}): Promise<RunRecord[]> {
    return this.read(() => {
      const runs = [...this.runs.values()].filter((r) => options.states === undefined || options.states.includes(r.state));
      return runs.sort(compareRunsNewestFirst).slice(0, options.limit);
    });
  }

  updateRun(runId: string, from: readonly RunState[], patch: RunPatch): Promise<RunRecord | null> {
    return this.serially(async () => {
      const current = this.runs.get(runId);
      if (!current || !runPatchApplies(current, from)) return null;
      const next = frozenRun({ ...current, ...runChanges(patch, this.clock.now()) });
      await this.persist([runVersion(next)]);
      this.runs.set(runId, next);
      await this.compactIfDue();
      return next;
    });
  }

  getChunks(ids: readonly string[]): Promise<ChunkRecord[]> {
    return this.read(() => {
      const found: ChunkRecord[] = [];
      for (const id of new Set(ids)) {
        const chunk = this.chunks.get(id);
        if (chunk) found.push(chunk);
      }
      return found;
    });
  }

  listChunks(query: ChunkQuery): Promise<ChunkRecord[]> {
    return this.read(() => {
      const found: ChunkRecord[] = [];
      for (const chunk of this.chunks.values()) if (matchesChunkQuery(chunk, query)) found.push(chunk);
      return found.sort(chunkListOrder(query)).slice(0, query.limit);
    });
  }

  countChunks(runId: string): Promise<ChunkCount[]> {
    return this.read(() => tallyChunks(this.runChunks(runId)));
  }

  countChunksByTable(states: readonly ChunkState[]): Promise<Partial<Record<AnalyticsTableName, number>>> {
    return this.read(() => tallyByTable(this.chunks.values(), states));
  }

  transition(transitions: readonly ChunkTransition[]): Promise<ChunkRecord[]> {
    if (transitions.length === 0) return this.read(() => []);
    return this.serially(async () => {
      // Applied in order: a later transition of the same chunk sees what an earlier one did.
      const changed = new Map<string, ChunkRecord>();
      const now = this.clock.now();
      for (const transition of transitions) {
        const current = changed.get(transition.id) ?? this.chunks.get(transition.id);
        if (!current) continue;
        const next = applyTransition(current, transition, now);
        if (next) changed.set(next.id, frozenChunk(next));
      }
      await this.persist([...changed.values()].map(chunkVersion));
      for (const chunk of changed.values()) this.chunks.set(chunk.id, chunk);
      await this.compactIfDue();
      // In the order the call first named each chunk.
      return [...new Set(transitions.map((t) => t.id))].flatMap((id) => changed.get(id) ?? []);
    });
  }

  getState(key: string): Promise<ServiceState | null> {
    assertStateKey(key);
    return this.read(() => this.states.get(key) ?? null);
  }

  putState(key: string, value: ServiceState): Promise<void> {
    assertStateKey(key);
    return this.serially(async () => {
      const stored = Object.freeze(structuredClone(value));
      await this.persist([{ kind: 'state', id: key, doc: stored }]);
      this.states.set(key, stored);
    });
  }

  /** Waits for changes under way, then closes the file. Calls after this reject. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const closing = this.serially(() => this.file.close());
    this.closed = true;
    return closing;
  }

  private get recordCount(): number {
    return this.runs.size + this.chunks.size;
  }

  private *runChunks(runId: string): Iterable<ChunkRecord> {
    for (const chunk of this.chunks.values()) if (chunk.runIds.includes(runId)) yield chunk;
  }

  private async persist(versions: readonly RecordVersion[]): Promise<void> {
    await this.file.append(versions);
  }

  /** After a change is in memory: compaction only saves space, so its failure fails nothing (it rolls back). */
  private async compactIfDue(): Promise<void> {
    const { minVersions, ratio } = this.compaction;
    if (this.file.versionCount <= minVersions || this.file.versionCount <= ratio * this.recordCount) return;
    try {
      await this.file.compact();
    } catch {
      // Tried again after the next change.
    }
  }

  /** One change at a time, each computed against the records the previous one left. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new LedgerClosedError(`the local ledger ${this.file.path} is closed`));
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private read<T>(answer: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new LedgerClosedError(`the local ledger ${this.file.path} is closed`));
    return Promise.resolve(answer());
  }
}

function chunkVersion(chunk: ChunkRecord): RecordVersion {
  return { kind: 'chunk', id: chunk.id, doc: chunk };
}

function runVersion(run: RunRecord): RecordVersion {
  return { kind: 'run', id: run.id, doc: run };
}
