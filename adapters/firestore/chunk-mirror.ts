import pLimit from 'p-limit';
import { compareChunkIds, matchesChunkQuery } from '../../shared/ledger/ledger-records.js';
import type { ChunkQuery, ChunkRecord } from '../../shared/ports/ledger.js';

/**
 * A copy of the chunk listings a ledger instance keeps asking for (reconcile's "chunks in flight" and "the run's
 * chunks not done", once a pass), kept current by reading only the chunks that changed since the last call.
 *
 * Every chunk write stamps `changedAt` with the server's time (FieldValue.serverTimestamp(): "The time at which
 * the server processed the request, with millisecond precision",
 * https://cloud.google.com/python/docs/reference/firestore/latest/google.cloud.firestore_v1.types.DocumentTransform.FieldTransform.ServerValue),
 * and a query's read time is a consistent snapshot ("commit_time - The time at which the writes in a transaction
 * were committed. Any read with an equal or greater read_time is guaranteed to see the effects of the
 * transaction", https://googleapis.dev/nodejs/firestore/3.8.4/v1beta1.FirestoreClient.html). So the chunks changed
 * after one listing are those whose `changedAt` is at or after its read time (to the millisecond). How far the time a request is processed
 * may precede its commit is not documented: the delta reaches back `marginMs` before the last read time, the
 * whole copy is read again every `reloadEveryMs`, and reconcile confirms a run's end with count() aggregations
 * (never with this copy) before it records it. A late change is seen late, never lost.
 *
 * The margin window is not read again on every call when the source can summarize it: the chunks changed in
 * [last read time - marginMs, last read time) by other instances were all read by the previous delta, unless a
 * change there committed late. One count() and sum(revision) aggregation over the window (`revision` goes up by
 * one at every write) against the same figures over the versions this copy met tells: equal, nothing committed
 * late there, and only the chunks changed since the last read time are read; different, the window is read too.
 * A change committed less than `marginMs` after its stamp is thus seen by the next call either way.
 *
 * The copy holds, for each listing asked ("scope"), the chunks that matched it at its first read, and every
 * chunk read since by a delta; what a call returns is the copy filtered by the call's query, ordered by
 * document id as the query itself would be. Only queries by run and states, without a limit, are kept.
 */
export interface ChunkMirrorOptions {
  /** How far before the last read time a delta reaches back. */
  readonly marginMs: number;
  /** The whole copy is dropped and read again after this long. */
  readonly reloadEveryMs: number;
  /** Beyond this many chunks held, the copy is dropped and the listings are read whole. */
  readonly maxChunks: number;
}

/**
 * A chunk as read, with its document's version: its update time as a string that orders as the time does
 * (Firestore's Timestamp.valueOf(): "Converts this object to a primitive string, which allows Timestamp objects to
 * be compared using the >, <=, >= and > operators").
 */
export interface MirroredChunk {
  readonly chunk: ChunkRecord;
  readonly version: string;
  /** The document's stamps (ledger-queries.ts), where known: a version read has them; one this ledger wrote has its writer. */
  readonly stamp?: ChangeStamp;
}

/** What a chunk write stamps: when (the server's time, ms), by which ledger instance, and the document's revision. */
export interface ChangeStamp {
  readonly changedAtMs?: number;
  readonly changedBy?: string;
  readonly revision?: number;
}

/** count() and sum(revision) over the chunks other instances changed in a window of time. */
export interface WindowSummary {
  readonly count: number;
  readonly revisions: number;
}

/** Chunks read by one query, and its read time in milliseconds. */
export interface MirrorRead {
  readonly chunks: readonly MirroredChunk[];
  readonly readTimeMs: number;
}

export interface MirrorSource {
  /** Wall time now (the ledger's clock), for the reload period. */
  now(): number;
  /** Every chunk whose `changedAt` is at or after this time, any run, any state. */
  changedSince(ms: number): Promise<MirrorRead>;
  /** The query itself, read whole. */
  read(query: ChunkQuery): Promise<MirrorRead>;
  /**
   * Where the source skips its own instance's changes (changedBy): its writer id, the chunks others changed in
   * [from, to), and their count() and sum(revision) (null when it cannot tell: the window is then read).
   */
  readonly window?: {
    readonly writer: string;
    changedBetween(fromMs: number, toMs: number): Promise<MirrorRead>;
    summarize(fromMs: number, toMs: number): Promise<WindowSummary | null>;
  };
}

/** How often the copy checked its margin window by its summary, and read it (for tests). */
export interface MirrorStats {
  windowChecks: number;
  windowReads: number;
}

/** Queries kept: by run and states only, no limit, no table, mode, dates or lease bound. */
export function isMirrored(query: ChunkQuery): boolean {
  return query.limit === undefined && query.table === undefined && query.mode === undefined
    && query.gameDateFrom === undefined && query.gameDateTo === undefined && query.leaseExpiredBy === undefined;
}

/** One listing the copy holds: its run and states. */
export function mirrorScopeKey(query: ChunkQuery): string {
  return JSON.stringify([query.runId ?? null, query.states ? [...query.states].sort() : null]);
}

export class ChunkMirror {
  private cursorMs: number | null = null;
  private loadedAt = 0;
  private readonly chunks = new Map<string, MirroredChunk>();
  /** Whole reads of a listing under way, and the versions this ledger met meanwhile (see observe). */
  private wholeReads = 0;
  private readonly landedDuringRead: MirroredChunk[] = [];
  /** The newest version met of every chunk held or pruned since the copy was (re)loaded. */
  private readonly seen = new Map<string, MirroredChunk>();
  /** Whether a delta ran since the copy was (re)loaded: then every change by others before the cursor was read. */
  private covered = false;
  readonly stats: MirrorStats = { windowChecks: 0, windowReads: 0 };
  private readonly scopes = new Map<string, ChunkQuery>();
  /** One call at a time: a delta applied after a later one would put back versions older than the cursor. */
  private readonly serial = pLimit(1);

  constructor(private readonly options: ChunkMirrorOptions) {}

  /** The chunks held now. */
  get size(): number {
    return this.chunks.size;
  }

  list(query: ChunkQuery, source: MirrorSource): Promise<ChunkRecord[]> {
    return this.serial(() => this.listNow(query, source));
  }

  /**
   * A version of a chunk the ledger read or wrote outside the listings (a transition's write or re-read, a read by
   * id, a chunk it created): held if some listing asks for it and it is newer than any version of it met before,
   * so a change a delta missed is mended as soon as the ledger meets the chunk, and this instance's own writes,
   * which its deltas do not read back (firestore-ledger.ts, `changedBy`), are in its copy as soon as they land. A
   * version older than one met before (a slow read of a chunk pruned since) is left out.
   */
  observe(entry: MirroredChunk): void {
    // A listing read whole while this write lands may predate it: kept, and applied when the read is in.
    if (this.wholeReads > 0) this.landedDuringRead.push(entry);
    if (this.scopes.size === 0) return;
    if (!this.hold(entry)) return;
    const scopes = [...this.scopes.values()];
    if (!scopes.some((q) => matchesChunkQuery(entry.chunk, q))) this.chunks.delete(entry.chunk.id);
    if (this.tooManySeen()) this.drop();
  }

  private async listNow(query: ChunkQuery, source: MirrorSource): Promise<ChunkRecord[]> {
    if (this.cursorMs !== null && source.now() - this.loadedAt >= this.options.reloadEveryMs) this.drop();
    if (this.cursorMs !== null) await this.readDelta(this.cursorMs, source);
    const key = mirrorScopeKey(query);
    if (!this.scopes.has(key)) {
      this.wholeReads += 1;
      let whole: MirrorRead;
      try {
        whole = await source.read(query);
      } finally {
        this.wholeReads -= 1;
      }
      for (const entry of [...whole.chunks, ...this.landedDuringRead]) this.hold(entry);
      if (this.wholeReads === 0) this.landedDuringRead.length = 0;
      this.scopes.set(key, query);
      // The first read starts the copy; a scope added later was read after the cursor, which the next delta covers.
      if (this.cursorMs === null) {
        this.cursorMs = whole.readTimeMs;
        this.loadedAt = source.now();
      }
    }
    this.prune();
    if (this.chunks.size > this.options.maxChunks || this.tooManySeen()) {
      this.drop();
      return (await source.read(query)).chunks.map((e) => e.chunk);
    }
    return [...this.chunks.values()].map((e) => e.chunk).filter((c) => matchesChunkQuery(c, query)).sort(compareChunkIds);
  }

  /**
   * The chunks changed since the cursor; the margin window before it read again, or, once a delta covered it, only
   * checked by its summary and read where that differs from the versions met.
   */
  private async readDelta(cursorMs: number, source: MirrorSource): Promise<void> {
    const { marginMs } = this.options;
    const window = source.window;
    if (!window || !this.covered || marginMs <= 0) {
      const delta = await source.changedSince(cursorMs - marginMs);
      for (const entry of delta.chunks) this.hold(entry);
      this.cursorMs = Math.max(cursorMs, delta.readTimeMs);
      this.covered = true;
      return;
    }
    // Both reads at once: a chunk the delta brings out of the window, if the summary still counted it there, only
    // makes the two differ and the window be read; a change the summary missed is the next call's to catch.
    const from = cursorMs - marginMs;
    this.stats.windowChecks += 1;
    const [delta, server] = await Promise.all([source.changedSince(cursorMs), window.summarize(from, cursorMs)]);
    for (const entry of delta.chunks) this.hold(entry);
    const met = this.summarize(from, cursorMs, window.writer);
    if (!server || server.count !== met.count || server.revisions !== met.revisions) {
      this.stats.windowReads += 1;
      for (const entry of (await window.changedBetween(from, cursorMs)).chunks) this.hold(entry);
    }
    this.cursorMs = Math.max(cursorMs, delta.readTimeMs);
  }

  /** count() and sum(revision) over the versions met that another instance stamped in [from, to). */
  private summarize(from: number, to: number, writer: string): WindowSummary {
    let count = 0;
    let revisions = 0;
    for (const { stamp } of this.seen.values()) {
      if (!stamp || stamp.changedBy === undefined || stamp.changedBy === writer || stamp.changedAtMs === undefined || stamp.revision === undefined) continue;
      if (stamp.changedAtMs < from || stamp.changedAtMs >= to) continue;
      count += 1;
      revisions += stamp.revision;
    }
    return { count, revisions };
  }

  /** Forget everything: the next call reads its listing whole. */
  drop(): void {
    this.cursorMs = null;
    this.covered = false;
    this.chunks.clear();
    this.seen.clear();
    this.scopes.clear();
  }

  /**
   * The newer of two versions of a chunk wins, whichever read arrives last, also against a version pruned since.
   * Returns whether this one is held now.
   */
  private hold(entry: MirroredChunk): boolean {
    const seen = this.seen.get(entry.chunk.id);
    if (seen !== undefined && entry.version < seen.version) return false;
    this.seen.set(entry.chunk.id, entry);
    this.chunks.set(entry.chunk.id, entry);
    return true;
  }

  /** The versions met are kept for as many chunks as the copy may hold, twice over; beyond, the copy starts again. */
  private tooManySeen(): boolean {
    return this.seen.size > 2 * this.options.maxChunks;
  }

  /** Keep only chunks some scope asks for (a delta brings every changed chunk, of any run). */
  private prune(): void {
    const scopes = [...this.scopes.values()];
    for (const [id, entry] of this.chunks) if (!scopes.some((q) => matchesChunkQuery(entry.chunk, q))) this.chunks.delete(id);
  }
}
