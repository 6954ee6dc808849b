import type { BackfillRequest } from '../planning/backfill-request.js';
import type { ChunkState, RunState } from '../chunks/chunk-state.js';
import type { AnalyticsTableName, RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';

/** Times are epoch milliseconds. */
export interface RunRecord {
  readonly id: string;
  readonly request: BackfillRequest;
  readonly state: RunState;
  readonly chunkCount: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
  /** Why it ended, for people: "all chunks done", "cancelled by ...", "3 chunks dead". */
  readonly outcome: string | null;
  /**
   * When the run last became active (created, or asked for again after it ended): `reprocess` redoes the chunks
   * that finished before this, so resuming a reprocessing run does not redo what it already redid.
   */
  readonly roundStartedAt: number;
}

export interface ChunkRecord {
  /** Derived from (table, date, mode): see chunkId(). */
  readonly id: string;
  readonly table: AnalyticsTableName;
  readonly gameDate: IsoDate;
  readonly mode: RunMode;
  /** Runs that include this chunk. A chunk is shared by every run whose request covers it. */
  readonly runIds: readonly string[];
  readonly state: ChunkState;
  /** Attempts of this round that ended in a real failure; quota back-offs are counted apart. */
  readonly attempts: number;
  /** Attempts spent in earlier rounds (before a retry, a reprocess or a heal gave it new ones): its history. */
  readonly priorAttempts: number;
  readonly quotaRetries: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  /** A failed chunk is not retried before this. */
  readonly nextAttemptAt: number | null;
  readonly lastError: string | null;
  /** Rows the transform produced for the partition. */
  readonly rowsWritten: number | null;
  /** Rows read back from the warehouse after the write. */
  readonly rowsFound: number | null;
  /** Rows the contract says the date must have (from the schedule and raw inputs). */
  readonly expectedRows: number | null;
  readonly durationMs: number | null;
  readonly queuedAt: number | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly updatedAt: number;
}

export type ChunkPatch = Partial<Omit<ChunkRecord, 'id' | 'table' | 'gameDate' | 'mode' | 'runIds' | 'state'>>;

/**
 * A compare-and-set on one chunk: applied only if the chunk is in one of `from` and every guard
 * holds, atomically. This is how two reconciles or two deliveries never do the same work twice.
 */
export interface ChunkTransition {
  readonly id: string;
  readonly from: readonly ChunkState[];
  readonly to: ChunkState;
  readonly patch?: ChunkPatch;
  /** Only if the chunk's leaseOwner is this (the worker that claimed it). */
  readonly leaseOwner?: string;
  /** Only if the lease expired at or before this time (for putting back chunks of dead workers). */
  readonly leaseExpiredBy?: number;
}

export interface ChunkQuery {
  readonly runId?: string;
  readonly states?: readonly ChunkState[];
  readonly table?: AnalyticsTableName;
  readonly mode?: RunMode;
  /**
   * Only chunks dated within these bounds (inclusive). With a bound, chunks come back by game date (then id), so
   * `limit: 1` finds the earliest: how a worker asks whether an input it reads is done without listing them all.
   */
  readonly gameDateFrom?: IsoDate;
  readonly gameDateTo?: IsoDate;
  /**
   * Only chunks holding a lease that expired at or before this time (epoch ms): how reconcile finds the chunks of
   * dead workers without listing every chunk in flight. Chunks come back by lease expiry, then id. Not with a date bound.
   */
  readonly leaseExpiredBy?: number;
  readonly limit?: number;
}

export interface ChunkCount {
  readonly table: AnalyticsTableName;
  readonly state: ChunkState;
  readonly count: number;
}

export interface NewChunk {
  readonly id: string;
  readonly table: AnalyticsTableName;
  readonly gameDate: IsoDate;
  readonly mode: RunMode;
}

export type ServiceState = Readonly<Record<string, unknown>>;

/** A state key: letters, digits, `_ . -`; it names a Firestore document and a local record. */
export const STATE_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;

/** Checkpoints: Firestore in the cloud, an embedded database on one machine. */
export interface Ledger {
  /**
   * Record a run and link its chunks. Idempotent: an existing run is returned as it is, existing
   * chunks keep their state and only gain the run id; new chunks start pending.
   */
  createRun(run: RunRecord, chunks: readonly NewChunk[]): Promise<{ run: RunRecord; created: boolean; chunksAdded: number }>;
  getRun(runId: string): Promise<RunRecord | null>;
  listRuns(options?: { states?: readonly RunState[]; limit?: number }): Promise<RunRecord[]>;
  /** Compare-and-set on the run's state; returns the run after, or null if `from` did not hold. */
  updateRun(runId: string, from: readonly RunState[], patch: Partial<Omit<RunRecord, 'id' | 'request'>>): Promise<RunRecord | null>;
  getChunks(ids: readonly string[]): Promise<ChunkRecord[]>;
  /**
   * The chunks a query matches. A ledger may answer from a copy it keeps current by reading what changed (the
   * Firestore ledger does: adapters/firestore/chunk-mirror.ts), which can see a change a little late; what ends a
   * run is confirmed with countChunks.
   */
  listChunks(query: ChunkQuery): Promise<ChunkRecord[]>;
  countChunks(runId: string): Promise<ChunkCount[]>;
  /** Chunks of every run in these states, per table (tables with none left out): counted, never listed. */
  countChunksByTable(states: readonly ChunkState[]): Promise<Partial<Record<AnalyticsTableName, number>>>;
  /** Apply each transition atomically on its own; returns the chunks it changed, as they are now. */
  transition(transitions: readonly ChunkTransition[]): Promise<ChunkRecord[]>;
  /**
   * Small named documents the service keeps beside the checkpoints (what the last heal pass saw, the job
   * sizes that worked): plain JSON, at most a few hundred KB each, last write wins. Null when never written.
   */
  getState(key: string): Promise<ServiceState | null>;
  putState(key: string, value: ServiceState): Promise<void>;
  close(): Promise<void>;
}
