import {
  AggregateField, FieldPath, FieldValue, Timestamp, type CollectionReference, type DocumentData, type DocumentReference, type DocumentSnapshot, type Firestore, type Query,
} from '@google-cloud/firestore';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import pLimit from 'p-limit';
import { CHUNK_STATES, type ChunkState, type RunState } from '../../shared/chunks/chunk-state.js';
import { systemClock, type Clock } from '../../shared/ports/clock.js';
import type { ChunkCount, ChunkQuery, ChunkRecord, ChunkTransition, Ledger, NewChunk, RunRecord, ServiceState } from '../../shared/ports/ledger.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../../shared/tables/names.js';
import { GRPC } from '../../shared/errors/classify.js';
import {
  assertStateKey, chunkFromData, compareChunkCounts, newChunkRecord, runChanges, runFromData, runPatchApplies, transitionApplies, transitionChanges, type RunPatch,
} from '../../shared/ledger/ledger-records.js';
import { ChunkMirror, isMirrored, type ChangeStamp, type ChunkMirrorOptions, type MirrorRead, type WindowSummary } from './chunk-mirror.js';
import {
  RUN_ORDER, CHANGED_AT, CHANGED_BY, CHANGED_ORDER, REVISION, changedBetweenFilters, changedSinceFilters, chunkFilters, chunkOrder, runFilters, type QueryFilter,
} from './ledger-queries.js';
import { appendTo } from '../../shared/util/group.js';

export interface FirestoreLedgerOptions {
  readonly firestore: Firestore;
  /** Collections are `<prefix>runs` and `<prefix>chunks` (config FIRESTORE_COLLECTION_PREFIX). */
  readonly collectionPrefix: string;
  /** Stamps `updatedAt` when a patch does not carry one, and new chunks. */
  readonly clock?: Clock;
  /** close() also terminates the Firestore client (when this ledger is its only user). Default false. */
  readonly terminateOnClose?: boolean;
  /**
   * Keep a copy of the listings by run and state, read again only where chunks changed (chunk-mirror.ts); false
   * reads every listing whole. Default: on, with FIRESTORE_LEDGER_DEFAULTS.mirror.
   */
  readonly mirror?: Partial<ChunkMirrorOptions> | false;
}

export const FIRESTORE_LEDGER_DEFAULTS = {
  /** Firestore's limit of writes in one batch. */
  batchSize: 500,
  /** Batches of a createRun in flight at once. */
  batchConcurrency: 4,
  /** Attempts of a transaction that keeps meeting contention before the error reaches the caller. */
  transactionAttempts: 10,
  /** Rounds of read-decide-write for chunks that keep changing under a transition. */
  casAttempts: 10,
  /** A batch of new chunks that met a concurrent createRun is read and written again this many times. */
  createAttempts: 3,
  /** Chunk versions kept to write a transition without reading the chunk again (a run has ~8,250 chunks). */
  knownVersions: 20_000,
  /**
   * The listing copy (chunk-mirror.ts): a delta reaches back 500 ms before the last read time, the copy is read whole
   * again every 5 minutes, and dropped beyond 50,000 chunks (a run has ~8,250).
   */
  mirror: { marginMs: 500, reloadEveryMs: 300_000, maxChunks: 50_000 },
} as const satisfies Record<string, unknown> & { mirror: ChunkMirrorOptions };

export class FirestoreLedgerClosedError extends Error {
  override readonly name = 'FirestoreLedgerClosedError';
}

/** A write met contention it could not resolve by deciding again: transient, try again. */
export class LedgerContentionError extends Error {
  override readonly name = 'LedgerContentionError';
}

/**
 * The gRPC codes this ledger reacts to: ALREADY_EXISTS, a create() found the document there;
 * FAILED_PRECONDITION, the document is no longer the version the write was conditioned on.
 */
const { ALREADY_EXISTS, FAILED_PRECONDITION, NOT_FOUND } = GRPC;

/**
 * Checkpoints in Firestore: one document per run and per chunk (id = chunk id, times in epoch ms).
 * Each chunk transition is a compare-and-set on its own document, so two reconciles or two
 * deliveries never both win; nothing is kept in a shared counter document (counts are count()
 * aggregations), so chunks of one run never contend on a hot document.
 */
export class FirestoreLedger implements Ledger {
  private readonly db: Firestore;
  private readonly runs: CollectionReference;
  private readonly chunks: CollectionReference;
  private readonly states: CollectionReference;
  private readonly clock: Clock;
  private readonly terminateOnClose: boolean;
  private closed = false;
  /**
   * The chunks this ledger last read or wrote, with the document's update time then. A transition of one is
   * decided on that record and written on the condition that the document is still that version
   * (lastUpdateTime), without reading it again: reconcile lists the chunks it then queues, a worker reads the
   * chunks it then claims and settles. A chunk changed by anyone since fails the condition and is read again,
   * as before, so the compare-and-set is the same.
   */
  private readonly known = new Map<string, { readonly record: ChunkRecord; readonly updateTime: Timestamp }>();
  private readonly mirror: ChunkMirror | null;
  /**
   * This instance's id, stamped on every chunk it writes (`changedBy`): its listing copy reads back only what other
   * instances changed, since what this one wrote it knows from the write's result (rememberRecord). A write whose
   * result was lost is met again when this instance next transitions the chunk (it is then read), or when the copy
   * is read whole (every reloadEveryMs).
   */
  readonly writerId = randomUUID();
  /** Whether the delta query ran without its composite index (set while Firestore still builds it: see changedSince). */
  private deltaWithoutWriter = false;
  /** Whether the margin window's summary failed for want of its index: the window is then read on every delta. */
  private summaryUnavailable = false;

  constructor(options: FirestoreLedgerOptions) {
    this.db = options.firestore;
    this.runs = this.db.collection(`${options.collectionPrefix}runs`);
    this.chunks = this.db.collection(`${options.collectionPrefix}chunks`);
    this.states = this.db.collection(`${options.collectionPrefix}state`);
    this.clock = options.clock ?? systemClock;
    this.terminateOnClose = options.terminateOnClose ?? false;
    this.mirror = options.mirror === false ? null : new ChunkMirror({ ...FIRESTORE_LEDGER_DEFAULTS.mirror, ...options.mirror });
  }

  /**
   * Chunks first, in batches (created if missing, else linked with arrayUnion), the run document
   * last: a run that exists has all its chunks, so a reconcile never finishes a half-created run.
   * Repeating the call repairs one that failed half-way.
   */
  async createRun(run: RunRecord, chunks: readonly NewChunk[]): Promise<{ run: RunRecord; created: boolean; chunksAdded: number }> {
    this.assertOpen();
    const unique = [...new Map(chunks.map((c) => [c.id, c])).values()];
    const now = this.clock.now();
    const limit = pLimit(FIRESTORE_LEDGER_DEFAULTS.batchConcurrency);
    const added = await Promise.all(pages(unique, FIRESTORE_LEDGER_DEFAULTS.batchSize).map((page) => limit(() => this.linkChunks(run.id, page, now))));
    const chunksAdded = added.reduce((sum, n) => sum + n, 0);
    const ref = this.runs.doc(run.id);
    try {
      await ref.create(runDoc(run));
      return { run: structuredClone(run), created: true, chunksAdded };
    } catch (error) {
      if (grpcCode(error) !== ALREADY_EXISTS) throw error;
      const existing = await ref.get();
      return { run: runFromData(existing.id, existing.data() ?? {}), created: false, chunksAdded };
    }
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    this.assertOpen();
    const snapshot = await this.runs.doc(runId).get();
    return snapshot.exists ? runFromData(snapshot.id, snapshot.data() ?? {}) : null;
  }

  async listRuns(options: { states?: readonly RunState[]; limit?: number } = {}): Promise<RunRecord[]> {
    this.assertOpen();
    if (options.states?.length === 0 || options.limit === 0) return [];
    let query = filtered(this.runs, runFilters(options.states)).orderBy(RUN_ORDER.field, RUN_ORDER.direction);
    if (options.limit !== undefined) query = query.limit(options.limit);
    const snapshot = await query.get();
    return snapshot.docs.map((doc) => runFromData(doc.id, doc.data()));
  }

  async updateRun(runId: string, from: readonly RunState[], patch: RunPatch): Promise<RunRecord | null> {
    this.assertOpen();
    const ref = this.runs.doc(runId);
    return this.db.runTransaction(async (tx) => {
      const snapshot = await tx.get(ref);
      if (!snapshot.exists) return null;
      const current = runFromData(snapshot.id, snapshot.data() ?? {});
      if (!runPatchApplies(current, from)) return null;
      const changes = runChanges(patch, this.clock.now());
      tx.update(ref, changes);
      return { ...current, ...changes };
    }, { maxAttempts: FIRESTORE_LEDGER_DEFAULTS.transactionAttempts });
  }

  async getChunks(ids: readonly string[]): Promise<ChunkRecord[]> {
    this.assertOpen();
    const unique = [...new Set(ids)];
    const snapshots = (await Promise.all(pages(unique, FIRESTORE_LEDGER_DEFAULTS.batchSize).map((page) => this.db.getAll(...page.map((id) => this.chunks.doc(id)))))).flat();
    return snapshots.filter((s) => s.exists).map((s) => this.remember(s));
  }

  /**
   * Reconcile's listings (by run and state) from the copy this ledger keeps, reading only the chunks changed since
   * (chunk-mirror.ts); any other query read whole.
   */
  async listChunks(query: ChunkQuery): Promise<ChunkRecord[]> {
    this.assertOpen();
    if (query.states?.length === 0 || query.limit === 0) return [];
    if (!this.mirror || !isMirrored(query)) return (await this.readChunks(query)).chunks.map((e) => e.chunk);
    return this.mirror.list(query, {
      now: () => this.clock.now(),
      changedSince: (ms) => this.changedSince(ms),
      read: (q) => this.readChunks(q),
      ...(this.deltaWithoutWriter ? {} : {
        window: { writer: this.writerId, changedBetween: (from: number, to: number) => this.changedBetween(from, to), summarize: (from: number, to: number) => this.summarizeWindow(from, to) },
      }),
    });
  }

  /** The chunks other instances changed in [from, to): the margin window, read when its summary differs. */
  private changedBetween(fromMs: number, toMs: number): Promise<MirrorRead> {
    return this.readChangedByOthers(changedBetweenFilters(Timestamp.fromMillis(fromMs), Timestamp.fromMillis(toMs), this.writerId));
  }

  /**
   * count() and sum(revision) over the chunks other instances changed in [from, to): one aggregation, billed "one
   * document read for each batch of up to 1000 index entries matched by the query"
   * (https://cloud.google.com/blog/products/databases/aggregate-with-sum-and-avg-in-firestore). Null without its
   * index (FAILED_PRECONDITION, while Firestore builds it): the window is then read.
   */
  private async summarizeWindow(fromMs: number, toMs: number): Promise<WindowSummary | null> {
    if (this.summaryUnavailable) return null;
    const query = filtered(this.chunks, changedBetweenFilters(Timestamp.fromMillis(fromMs), Timestamp.fromMillis(toMs), this.writerId));
    try {
      const data = (await query.aggregate({ count: AggregateField.count(), revisions: AggregateField.sum(REVISION) }).get()).data();
      return { count: data.count, revisions: data.revisions };
    } catch (error) {
      if (grpcCode(error) !== FAILED_PRECONDITION) throw error;
      this.summaryUnavailable = true;
      return null;
    }
  }

  /** The listing copy's delta: chunks changed since `ms` by other instances (ledger-queries.ts). */
  private changedSince(ms: number): Promise<MirrorRead> {
    return this.readChangedByOthers(changedSinceFilters(Timestamp.fromMillis(ms), this.writerId));
  }

  /**
   * Chunks changed in a time range by other instances (the range's filters on `changedAt`, then `changedBy !=`),
   * ordered by `changedAt` first. Until its composite index exists (a deployment that adds it serves queries while
   * Firestore builds it: "If you attempt a compound query with a range clause that doesn't map to an existing index,
   * you receive an error", https://cloud.google.com/firestore/docs/query-data/indexing), the range alone is read, this
   * instance's own changes with it: more reads, the same listing. The error's code is not on that page: the ledger
   * takes FAILED_PRECONDITION, the code users report for it; any other error reaches the caller, and reconcile's
   * pass fails until the index is built.
   */
  private async readChangedByOthers(filters: readonly QueryFilter[]): Promise<MirrorRead> {
    const range = filters.filter((f) => f.field !== CHANGED_BY);
    if (!this.deltaWithoutWriter) {
      try {
        return await this.read(filtered(this.chunks, filters).orderBy(CHANGED_ORDER[0]).orderBy(CHANGED_ORDER[1]));
      } catch (error) {
        if (grpcCode(error) !== FAILED_PRECONDITION) throw error;
        this.deltaWithoutWriter = true;
      }
    }
    return this.read(filtered(this.chunks, range));
  }

  private async read(query: Query): Promise<MirrorRead> {
    const snapshot = await query.get();
    return {
      chunks: snapshot.docs.map((doc) => ({ chunk: this.remember(doc), version: doc.updateTime.valueOf(), stamp: stampOf(doc) })),
      readTimeMs: snapshot.readTime.toMillis(),
    };
  }

  /** One streamed query (a run's 8,250 chunks come back in one go faster than in pages). */
  private async readChunks(query: ChunkQuery): Promise<MirrorRead> {
    let firestoreQuery = filtered(this.chunks, chunkFilters(query));
    for (const field of chunkOrder(query)) firestoreQuery = firestoreQuery.orderBy(field);
    firestoreQuery = firestoreQuery.orderBy(FieldPath.documentId());
    if (query.limit !== undefined) firestoreQuery = firestoreQuery.limit(query.limit);
    return this.read(firestoreQuery);
  }

  /**
   * count() aggregations, never a counter document: the run's chunks per table and per state
   * (12 queries), then per (table, state) only where a run spans several tables and several states.
   */
  async countChunks(runId: string): Promise<ChunkCount[]> {
    this.assertOpen();
    const count = async (query: Pick<ChunkQuery, 'table' | 'states'>) =>
      (await filtered(this.chunks, chunkFilters({ runId, ...query })).count().get()).data().count;
    const [byTable, byState] = await Promise.all([
      Promise.all(ANALYTICS_TABLES.map(async (table) => ({ table, count: await count({ table }) }))),
      Promise.all(CHUNK_STATES.map(async (state) => ({ state, count: await count({ states: [state] }) }))),
    ]);
    const tables = byTable.filter((t) => t.count > 0);
    const states = byState.filter((s) => s.count > 0);
    const [onlyTable] = tables;
    const [onlyState] = states;
    let counts: ChunkCount[];
    if (tables.length === 1 && onlyTable) counts = states.map((s) => ({ table: onlyTable.table, state: s.state, count: s.count }));
    else if (states.length === 1 && onlyState) counts = tables.map((t) => ({ table: t.table, state: onlyState.state, count: t.count }));
    else {
      const cells = tables.flatMap((t) => states.map((s) => ({ table: t.table, state: s.state })));
      counts = await Promise.all(cells.map(async (cell) => ({ ...cell, count: await count({ table: cell.table, states: [cell.state] }) })));
    }
    return counts.filter((c) => c.count > 0).sort(compareChunkCounts);
  }

  /** One count() aggregation a table. */
  async countChunksByTable(states: readonly ChunkState[]): Promise<Partial<Record<AnalyticsTableName, number>>> {
    this.assertOpen();
    if (states.length === 0) return {};
    const counts = await Promise.all(ANALYTICS_TABLES.map(async (table) =>
      [table, (await filtered(this.chunks, chunkFilters({ table, states })).count().get()).data().count] as const));
    return Object.fromEntries(counts.filter(([, n]) => n > 0));
  }

  /**
   * A compare-and-set per chunk without a transaction: read the chunks (one getAll), decide with
   * the same rules as every ledger, and write each change on the condition that the document is
   * still the version read (lastUpdateTime). A chunk changed in between is read again and decided
   * again, so of two callers racing for a chunk exactly one wins. Transitions of one chunk in one
   * call are decided in order, and written as one change.
   */
  async transition(transitions: readonly ChunkTransition[]): Promise<ChunkRecord[]> {
    this.assertOpen();
    const byChunk = new Map<string, ChunkTransition[]>();
    for (const t of transitions) appendTo(byChunk, t.id, t);
    const rounds: CasRounds = { round: 0, byChunk, changed: new Map(), attempted: new Map() };
    let contended = [...byChunk.keys()];
    for (let attempt = 1; contended.length > 0; attempt += 1) {
      if (attempt > FIRESTORE_LEDGER_DEFAULTS.casAttempts) {
        throw new LedgerContentionError(`${contended.length} chunk(s) kept changing under transition(), e.g. ${contended[0]}; try again`);
      }
      contended = await this.casRound(contended, rounds);
    }
    return [...byChunk.keys()].flatMap((id) => rounds.changed.get(id) ?? []);
  }

  async getState(key: string): Promise<ServiceState | null> {
    this.assertOpen();
    assertStateKey(key);
    const snapshot = await this.states.doc(key).get();
    return snapshot.exists ? (snapshot.data() ?? {}) : null;
  }

  /** One document per key, replaced whole (Firestore's limit of a document is 1 MiB). */
  async putState(key: string, value: ServiceState): Promise<void> {
    this.assertOpen();
    assertStateKey(key);
    await this.states.doc(key).set(structuredClone(value));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.terminateOnClose) await this.db.terminate();
  }

  /** One read-decide-write round; returns the chunks that changed since they were read. */
  private async casRound(ids: readonly string[], rounds: CasRounds): Promise<string[]> {
    // The first round decides on the versions this ledger knows; a chunk whose write then fails its condition, or
    // to which no transition applies as known, is read in the next round.
    const known = rounds.round === 0 ? ids.flatMap((id) => {
      const entry = this.known.get(id);
      return entry ? [{ id, record: entry.record, updateTime: entry.updateTime }] : [];
    }) : [];
    const knownIds = new Set(known.map((k) => k.id));
    const toRead = ids.filter((id) => !knownIds.has(id));
    rounds.round += 1;
    const snapshots = (await Promise.all(pages(toRead, FIRESTORE_LEDGER_DEFAULTS.batchSize).map((page) => this.db.getAll(...page.map((id) => this.chunks.doc(id)))))).flat();
    const versions = [
      ...known,
      ...snapshots.flatMap((snapshot) => snapshot.exists && snapshot.updateTime
        ? [{ id: snapshot.id, record: this.remember(snapshot), updateTime: snapshot.updateTime }]
        : []),
    ];
    const writer = this.db.bulkWriter({ throttling: false });
    const contended: string[] = [];
    const outcomes: Array<Promise<void>> = [];
    let failure: Error | undefined;
    const now = this.clock.now();
    for (const { id, record: current, updateTime } of versions) {
      // A write retried after a lost answer fails its condition although it landed: it is ours.
      const attempted = rounds.attempted.get(current.id);
      if (attempted && isDeepStrictEqual(current, attempted)) {
        rounds.changed.set(current.id, current);
        continue;
      }
      let record = current;
      let changes: DocumentData | null = null;
      for (const t of rounds.byChunk.get(id) ?? []) {
        if (!transitionApplies(record, t)) continue;
        const step = transitionChanges(t, now);
        changes = { ...(changes ?? {}), ...step };
        record = { ...record, ...step };
      }
      if (!changes) {
        // Only a version read now says a transition does not apply: one known from before is read again.
        if (knownIds.has(id)) contended.push(id);
        continue;
      }
      const after = record;
      rounds.attempted.set(after.id, after);
      outcomes.push(writer.update(this.chunks.doc(id), { ...changes, ...this.changeStamp() }, { lastUpdateTime: updateTime }).then(
        (result) => {
          rounds.changed.set(after.id, after);
          this.rememberRecord(after, result.writeTime);
        },
        (error: unknown) => {
          this.known.delete(id);
          // Changed since the version decided on (or gone, for a version this ledger knew): read it again.
          if (grpcCode(error) === FAILED_PRECONDITION || (knownIds.has(id) && grpcCode(error) === NOT_FOUND)) contended.push(id);
          else failure ??= error instanceof Error ? error : new Error(String(error));
        },
      ));
    }
    await writer.close();
    await Promise.all(outcomes);
    if (failure !== undefined) throw failure;
    return contended;
  }

  /** A chunk as read, remembered with its version. */
  private remember(snapshot: DocumentSnapshot): ChunkRecord {
    const record = chunkFromData(snapshot.id, snapshot.data() ?? {});
    if (snapshot.updateTime) this.rememberRecord(record, snapshot.updateTime, stampOf(snapshot));
    return record;
  }

  /** A version of a chunk this ledger read (with the document's stamps) or wrote (stamped by this instance). */
  private rememberRecord(record: ChunkRecord, updateTime: Timestamp, stamp: ChangeStamp = { changedBy: this.writerId }): void {
    this.mirror?.observe({ chunk: record, version: updateTime.valueOf(), stamp });
    this.known.delete(record.id);
    this.known.set(record.id, { record, updateTime });
    // The oldest remembered first: a Map iterates in insertion order.
    if (this.known.size > FIRESTORE_LEDGER_DEFAULTS.knownVersions) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
  }

  /** Create the missing chunks of a page and link the others; returns how many it created. */
  private async linkChunks(runId: string, page: readonly NewChunk[], now: number): Promise<number> {
    const refs = page.map((c) => this.chunks.doc(c.id));
    // A new run's chunks are new: create the page blind, reading nothing. A batch is atomic ("Atomically commits
    // all pending operations to the database and verifies all preconditions. Fails the entire write if any
    // precondition is not met"; create "will fail the batch if a document exists at its location":
    // https://cloud.google.com/nodejs/docs/reference/firestore/latest/firestore/writebatch), so if one of them
    // exists nothing was written, and the page is read to link the existing ones.
    try {
      const batch = this.db.batch();
      page.forEach((chunk, i) => batch.create(refs[i] as DocumentReference, { ...chunkDoc(newChunkRecord(chunk, runId, now)), ...this.changeStamp(true) }));
      await batch.commit();
      return page.length;
    } catch (error) {
      if (grpcCode(error) !== ALREADY_EXISTS) throw error;
    }
    for (let attempt = 1; ; attempt += 1) {
      const snapshots = await this.db.getAll(...refs, { fieldMask: ['runIds'] });
      const batch = this.db.batch();
      let created = 0;
      let writes = 0;
      snapshots.forEach((snapshot, i) => {
        const chunk = page[i] as NewChunk;
        const ref = refs[i] as DocumentReference;
        if (!snapshot.exists) {
          batch.create(ref, { ...chunkDoc(newChunkRecord(chunk, runId, now)), ...this.changeStamp(true) });
          created += 1;
          writes += 1;
        } else if (!((snapshot.get('runIds') as string[] | undefined) ?? []).includes(runId)) {
          batch.update(ref, { runIds: FieldValue.arrayUnion(runId), ...this.changeStamp() });
          writes += 1;
        }
      });
      if (writes === 0) return 0;
      try {
        await batch.commit();
        return created;
      } catch (error) {
        // Another createRun created one of these chunks since we read them: read the page again.
        if (grpcCode(error) !== ALREADY_EXISTS || attempt >= FIRESTORE_LEDGER_DEFAULTS.createAttempts) throw error;
      }
    }
  }

  /**
   * Every chunk write stamps when it changed, by the server's clock, by which instance, and one more revision: what
   * listing copies read deltas by (chunk-mirror.ts).
   */
  private changeStamp(creates = false): DocumentData {
    return { [CHANGED_AT]: FieldValue.serverTimestamp(), [CHANGED_BY]: this.writerId, [REVISION]: creates ? 1 : FieldValue.increment(1) };
  }

  private assertOpen(): void {
    if (this.closed) throw new FirestoreLedgerClosedError('the Firestore ledger is closed');
  }
}

interface CasRounds {
  /** Rounds done: the first may decide on versions this ledger knows. */
  round: number;
  readonly byChunk: ReadonlyMap<string, readonly ChunkTransition[]>;
  /** Chunks changed by this call, as they now are. */
  readonly changed: Map<string, ChunkRecord>;
  /** What each write of this call tried to make a chunk. */
  readonly attempted: Map<string, ChunkRecord>;
}

function filtered(collection: CollectionReference, filters: readonly QueryFilter[]): Query {
  let query: Query = collection;
  for (const f of filters) query = query.where(f.field, f.op, f.value);
  return query;
}

function pages<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** The document id is the record's id; it is not repeated inside. */
function chunkDoc(chunk: ChunkRecord): DocumentData {
  const { id: _id, ...doc } = chunk;
  return { ...doc, runIds: [...chunk.runIds] };
}

function runDoc(run: RunRecord): DocumentData {
  const { id: _id, ...doc } = run;
  return structuredClone(doc);
}

/** The stamps a chunk document carries (absent on documents no writer of this version stamped). */
function stampOf(snapshot: DocumentSnapshot): ChangeStamp {
  const changedAt: unknown = snapshot.get(CHANGED_AT);
  const changedBy: unknown = snapshot.get(CHANGED_BY);
  const revision: unknown = snapshot.get(REVISION);
  return {
    ...(changedAt instanceof Timestamp ? { changedAtMs: changedAt.toMillis() } : {}),
    ...(typeof changedBy === 'string' ? { changedBy } : {}),
    ...(typeof revision === 'number' ? { revision } : {}),
  };
}

function grpcCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}
