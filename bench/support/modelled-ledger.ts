import { isMirrored, mirrorScopeKey, type ChunkMirrorOptions } from '../../adapters/firestore/chunk-mirror.js';
import { FIRESTORE_LEDGER_DEFAULTS } from '../../adapters/firestore/firestore-ledger.js';
import type { ChunkState, RunState } from '../../shared/chunks/chunk-state.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../../shared/tables/names.js';
import type { ChunkCount, ChunkQuery, ChunkRecord, ChunkTransition, Ledger, NewChunk, RunRecord, ServiceState } from '../../shared/ports/ledger.js';
import type { RealWork } from '../simulator/auto-advance.js';
import type { SimClock } from '../simulator/sim-clock.js';
import { took, trace } from '../simulator/trace.js';

/** Modelled Firestore latency: a round trip, plus the time to stream each document. */
export interface LedgerLatency {
  readonly callMs: number;
  readonly perDocumentMs: number;
}

/**
 * Firestore in the same region as the functions: ~25 ms a round trip, and a query streams about
 * 6,000 documents a second (0.15 ms each), so listing 8,000 chunks takes about 1.2 s.
 */
export const FIRESTORE_LATENCY: LedgerLatency = { callMs: 25, perDocumentMs: 0.15 };

/** Document reads and writes as Firestore bills them, counted from what each call asked and got. */
export interface LedgerCounters {
  calls: number;
  reads: number;
  writes: number;
  readonly readsByCall: Record<string, number>;
  /**
   * Of `reads`, those billed for index entries rather than for documents returned: the listing copy's delta scans
   * past the chunks its own instance changed (adapters/firestore/ledger-queries.ts, changedSinceFilters), and checks
   * its margin window with a count() and sum() aggregation. Aggregations are billed "one document read for each
   * batch of up to 1000 index entries matched by the query"
   * (https://cloud.google.com/blog/products/databases/aggregate-with-sum-and-avg-in-firestore). For the entries a
   * query scans and does not return, Firestore bills "The number of index entries read to satisfy a query"
   * (https://cloud.google.com/firestore/pricing) at a rate the excerpts found here do not give: the model assumes
   * the aggregations' one read per 1,000 entries or part of them.
   */
  indexEntryReads: number;
  /** Real milliseconds the wrapped ledger took, by call (the emulator's own speed, not modelled). */
  readonly realMsByCall: Record<string, number>;
}

export function emptyCounters(): LedgerCounters {
  return { calls: 0, reads: 0, writes: 0, readsByCall: {}, realMsByCall: {}, indexEntryReads: 0 };
}

/**
 * What every instance's ledger shares: the bill, each chunk document's version (bumped by every write), when it last
 * changed and by which instance, and how many instances there are.
 */
interface SharedFirestore {
  readonly counters: LedgerCounters;
  readonly versions: Map<string, number>;
  readonly changed: Map<string, { readonly at: number; readonly by: number }>;
  instances: number;
}

/** What this instance's listing copy holds (adapters/firestore/chunk-mirror.ts): since when, and which listings. */
interface MirrorModel {
  cursor: number | null;
  /** A delta ran since the copy was loaded: the margin window is checked by its summary, not read again. */
  covered: boolean;
  loadedAt: number;
  readonly scopes: Set<string>;
}

/**
 * A ledger as the benchmark sees it: the real adapter does the work (counted as real work, so virtual
 * time waits for it), then the caller waits the modelled Firestore latency in virtual time. Reads and
 * writes are counted as Firestore bills them: a document returned or fetched is a read, a query that
 * returns nothing still costs one, an aggregation costs one per 1,000 entries counted.
 */
export class ModelledLedger implements Ledger {
  readonly counters: LedgerCounters;
  private readonly shared: SharedFirestore;
  /**
   * The chunk versions this instance's Firestore adapter knows (read or written by it): a transition of a chunk
   * it knows at its current version reads nothing (adapters/firestore/firestore-ledger.ts, `known`).
   */
  private readonly known = new Map<string, number>();
  private readonly mirror: MirrorModel = { cursor: null, covered: false, loadedAt: 0, scopes: new Set() };
  /** This instance, as the `changedBy` its adapter stamps. */
  private readonly writer: number;

  constructor(
    private readonly inner: Ledger,
    private readonly options: {
      readonly clock: SimClock;
      readonly work: RealWork;
      readonly latency?: LedgerLatency;
      /** The adapter's listing copy, as configured (default FIRESTORE_LEDGER_DEFAULTS.mirror). */
      readonly mirror?: Pick<ChunkMirrorOptions, 'marginMs' | 'reloadEveryMs'>;
    },
    shared?: SharedFirestore,
  ) {
    this.shared = shared ?? { counters: emptyCounters(), versions: new Map(), changed: new Map(), instances: 0 };
    this.counters = this.shared.counters;
    this.shared.instances += 1;
    this.writer = this.shared.instances;
  }

  /** The ledger of another function instance: the same Firestore and bill, what it knows its own. */
  instance(): ModelledLedger {
    return new ModelledLedger(this.inner, this.options, this.shared);
  }

  createRun(run: RunRecord, chunks: readonly NewChunk[]): Promise<{ run: RunRecord; created: boolean; chunksAdded: number }> {
    // The Firestore adapter creates each page of chunks blind and reads a page only when one of them existed
    // (counted here as reading them all), and reads the run only when it existed. Every chunk named counts as
    // written (linked or created): what other instances knew of them is out of date.
    const unique = new Set(chunks.map((c) => c.id));
    for (const id of unique) this.bump(id);
    return this.call('createRun', () => this.inner.createRun(run, chunks), (r) => ({
      reads: (r.chunksAdded === unique.size ? 0 : unique.size) + (r.created ? 0 : 1),
      writes: r.chunksAdded + (r.created ? 1 : 0),
    }));
  }

  getRun(runId: string): Promise<RunRecord | null> {
    return this.call('getRun', () => this.inner.getRun(runId), () => ({ reads: 1 }));
  }

  listRuns(options?: { states?: readonly RunState[]; limit?: number }): Promise<RunRecord[]> {
    return this.call('listRuns', () => this.inner.listRuns(options), (runs) => ({ reads: Math.max(1, runs.length) }));
  }

  updateRun(runId: string, from: readonly RunState[], patch: Partial<Omit<RunRecord, 'id' | 'request'>>): Promise<RunRecord | null> {
    return this.call('updateRun', () => this.inner.updateRun(runId, from, patch), (run) => ({ reads: 1, writes: run ? 1 : 0 }));
  }

  getChunks(ids: readonly string[]): Promise<ChunkRecord[]> {
    return this.call('getChunks', () => this.inner.getChunks(ids), (chunks) => {
      this.learn(chunks.map((c) => c.id));
      return { reads: new Set(ids).size };
    });
  }

  listChunks(query: ChunkQuery): Promise<ChunkRecord[]> {
    // A listing by run and states comes from the adapter's copy: the chunks changed since its last read (at least one
    // read), and the listing read whole the first time it is asked; any other query is read whole.
    const mirrored = isMirrored(query) && query.states?.length !== 0;
    const now = this.options.clock.now();
    return this.call('listChunks', () => this.inner.listChunks(query), (chunks) => {
      this.learn(chunks.map((c) => c.id));
      if (!mirrored) return { reads: Math.max(1, chunks.length) };
      const { reads, indexEntryReads } = this.mirrorReads(query, chunks.length, now);
      this.counters.indexEntryReads += indexEntryReads;
      return { reads: reads + indexEntryReads };
    });
  }

  private mirrorReads(query: ChunkQuery, listed: number, now: number): { reads: number; indexEntryReads: number } {
    const { marginMs, reloadEveryMs } = this.options.mirror ?? FIRESTORE_LEDGER_DEFAULTS.mirror;
    const m = this.mirror;
    if (m.cursor !== null && now - m.loadedAt >= reloadEveryMs) {
      m.cursor = null;
      m.covered = false;
      m.scopes.clear();
    }
    let reads = 0;
    let indexEntryReads = 0;
    if (m.cursor !== null) {
      // The delta returns the chunks changed since by other instances, and scans past this instance's own. Until a
      // delta ran it reaches back the margin; then it starts at the last read, and one aggregation checks the margin
      // window (in the model nothing commits late, so the window always matches what was met and is never read).
      const windowed = m.covered && marginMs > 0;
      const since = windowed ? m.cursor : m.cursor - marginMs;
      let changed = 0;
      let own = 0;
      let inWindow = 0;
      for (const { at, by } of this.shared.changed.values()) {
        const mine = by === this.writer;
        if (at >= since) {
          if (mine) own += 1;
          else changed += 1;
        } else if (windowed && !mine && at >= m.cursor - marginMs) inWindow += 1;
      }
      reads += Math.max(1, changed);
      indexEntryReads += Math.ceil(own / 1000) + (windowed ? Math.max(1, Math.ceil(inWindow / 1000)) : 0);
      m.cursor = now;
      m.covered = true;
    }
    const scope = mirrorScopeKey(query);
    if (!m.scopes.has(scope)) {
      reads += Math.max(1, listed);
      m.scopes.add(scope);
      if (m.cursor === null) {
        m.cursor = now;
        m.loadedAt = now;
      }
    }
    return { reads, indexEntryReads };
  }

  countChunks(runId: string): Promise<ChunkCount[]> {
    // The Firestore adapter runs 12 count() queries (5 tables, 7 states), then one per (table, state) cell.
    return this.call('countChunks', () => this.inner.countChunks(runId), (counts) => ({
      reads: 12 + counts.reduce((n, c) => n + 2 * Math.max(1, Math.ceil(c.count / 1000)), 0),
    }));
  }

  countChunksByTable(states: readonly ChunkState[]): Promise<Partial<Record<AnalyticsTableName, number>>> {
    // One count() a table (the adapter's), each a read per 1,000 entries counted, at least one.
    return this.call('countChunksByTable', () => this.inner.countChunksByTable(states), (byTable) => ({
      reads: states.length === 0 ? 0 : ANALYTICS_TABLES.reduce((n, t) => n + Math.max(1, Math.ceil((byTable[t] ?? 0) / 1000)), 0),
    }));
  }

  transition(transitions: readonly ChunkTransition[]): Promise<ChunkRecord[]> {
    // One compare-and-set round reads the chunks named that this instance does not know at their current
    // version (a known one out of date fails its write's condition and is read then), and writes the ones that change.
    // A known chunk to which no transition applies is read too: only a version read now says so.
    const ids = [...new Set(transitions.map((t) => t.id))];
    const fresh = new Set(ids.filter((id) => this.known.get(id) === this.version(id)));
    return this.call('transition', () => this.inner.transition(transitions), (changed) => {
      const applied = new Set(changed.map((c) => c.id));
      for (const id of applied) this.bump(id);
      this.learn(ids);
      return { reads: ids.filter((id) => !fresh.has(id) || !applied.has(id)).length, writes: changed.length };
    });
  }

  getState(key: string): Promise<ServiceState | null> {
    return this.call('getState', () => this.inner.getState(key), () => ({ reads: 1 }));
  }

  putState(key: string, value: ServiceState): Promise<void> {
    return this.call('putState', () => this.inner.putState(key, value), () => ({ reads: 0, writes: 1 }));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private version(id: string): number {
    return this.shared.versions.get(id) ?? 0;
  }

  private bump(id: string): void {
    this.shared.versions.set(id, this.version(id) + 1);
    this.shared.changed.set(id, { at: this.options.clock.now(), by: this.writer });
  }

  /** This instance now holds these chunks as they are. */
  private learn(ids: readonly string[]): void {
    for (const id of ids) this.known.set(id, this.version(id));
  }

  private async call<T>(name: string, work: () => Promise<T>, cost: (result: T) => { reads: number; writes?: number }): Promise<T> {
    const realStart = performance.now();
    const result = await this.options.work.track(work);
    this.counters.realMsByCall[name] = (this.counters.realMsByCall[name] ?? 0) + performance.now() - realStart;
    const { reads, writes = 0 } = cost(result);
    this.counters.calls += 1;
    this.counters.reads += reads;
    this.counters.writes += writes;
    this.counters.readsByCall[name] = (this.counters.readsByCall[name] ?? 0) + reads;
    const latency = this.options.latency ?? FIRESTORE_LATENCY;
    const t0 = this.options.clock.now();
    await this.options.clock.sleep(latency.callMs + latency.perDocumentMs * (reads + writes));
    trace(t0, `ledger.${name}`, 'CALL', reads + writes, took(t0, this.options.clock.now()));
    return result;
  }
}
