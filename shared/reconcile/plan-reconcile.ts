import type { ChunkRecord, ChunkTransition, RunRecord } from '../ports/ledger.js';
import { isDone, isIn, UNFINISHED_STATES } from '../chunks/chunk-state.js';
import { afterLeaseExpired, isDue, isOutOfAttempts } from '../chunks/retry-policy.js';
import { findBlocker } from '../planning/dependencies.js';
import { tableSpec } from '../tables/registry.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';

export interface ReconcileLimits {
  /** Chunks queued or running, over all runs and tables. */
  readonly maxInFlight: number;
  readonly maxInFlightPerTable: number;
  readonly maxAttempts: number;
  /** Dates per message (one write job) while a table has no job size of its own; per-date checkpoints are kept. */
  readonly datesPerJob: number;
  /** The most dates per message once a table's job size grew (shared/chunks/job-size.ts); datesPerJob keeps it fixed. */
  readonly maxDatesPerJob: number;
  /** A queued chunk nobody picked up for this long is published again (lost or dropped message). */
  readonly queuedStallMs: number;
}

export interface InFlight {
  total: number;
  byTable: Partial<Record<AnalyticsTableName, number>>;
}

export interface PlannedMessage {
  readonly table: AnalyticsTableName;
  readonly dates: readonly IsoDate[];
  readonly chunkIds: readonly string[];
}

export interface ReconcileDecision {
  /** Compare-and-set transitions to apply first (expired leases, exhausted retries, dead inputs). */
  readonly repairs: readonly ChunkTransition[];
  /** Transitions to queued; a chunk is published only if its transition applied. */
  readonly enqueue: readonly ChunkTransition[];
  readonly messages: readonly PlannedMessage[];
  /** Set when every chunk of the run is terminal: how the run ends. */
  readonly finish: { readonly state: 'succeeded' | 'failed'; readonly outcome: string } | null;
  readonly counts: { readonly waitingOnDependencies: number; readonly waitingOnBackoff: number; readonly heldByCaps: number };
}

/** Dates one message of `table` may carry: its learnt job size within the limits, else datesPerJob. */
export function datesPerMessage(limits: ReconcileLimits, learnt: number | undefined): number {
  return Math.max(1, Math.min(limits.maxDatesPerJob, learnt ?? limits.datesPerJob));
}

/**
 * Pure: what one reconcile tick does for one run, from its chunks that are not succeeded (the
 * ledger's active view), the chunks in flight everywhere, and the time. Two reconciles may compute
 * the same decision; the compare-and-set transitions make sure only one of them acts on a chunk.
 */
export function planReconcile(input: {
  readonly run: RunRecord;
  /** Every chunk of the run that is not done (pending, queued, running, failed, dead). */
  readonly chunks: readonly ChunkRecord[];
  readonly inFlight: InFlight;
  readonly now: number;
  readonly limits: ReconcileLimits;
  /** Each table's learnt job size (dates), where one is known. */
  readonly jobSizes?: Partial<Record<AnalyticsTableName, number>>;
}): ReconcileDecision {
  const { run, now, limits } = input;
  const repairs: ChunkTransition[] = [];
  // Work on a view of the states this tick will produce.
  const state = new Map(input.chunks.filter((c) => !isDone(c.state)).map((c) => [c.id, { ...c }]));

  for (const chunk of state.values()) {
    if (chunk.state === 'running' && chunk.leaseExpiresAt !== null && chunk.leaseExpiresAt <= now) {
      // The worker died or timed out holding it: that costs an attempt.
      const expired = afterLeaseExpired(chunk, now, limits);
      repairs.push({ id: chunk.id, from: ['running'], to: expired.state, leaseExpiredBy: now, patch: expired.patch });
      Object.assign(chunk, { ...expired.patch, state: expired.state });
    } else if (isOutOfAttempts(chunk, limits)) {
      repairs.push({ id: chunk.id, from: ['failed'], to: 'dead', patch: { nextAttemptAt: null } });
      chunk.state = 'dead';
    }
  }

  // Not-done dates per table, for dependency order.
  const notDone = new Map<AnalyticsTableName, IsoDate[]>();
  for (const chunk of state.values()) {
    const list = notDone.get(chunk.table) ?? [];
    list.push(chunk.gameDate);
    notDone.set(chunk.table, list);
  }
  for (const list of notDone.values()) list.sort();

  // A chunk whose input is dead can never run correctly: it is dead too, with the reason.
  const deadDates = new Map<AnalyticsTableName, IsoDate[]>();
  for (const chunk of state.values()) if (chunk.state === 'dead') deadDates.set(chunk.table, [...(deadDates.get(chunk.table) ?? []), chunk.gameDate]);
  for (const list of deadDates.values()) list.sort();
  for (const chunk of state.values()) {
    if (chunk.state !== 'pending' && chunk.state !== 'failed') continue;
    const deadInput = findBlocker(tableSpec(chunk.table), chunk.gameDate, deadDates);
    if (deadInput) {
      repairs.push({ id: chunk.id, from: ['pending', 'failed'], to: 'dead', patch: { lastError: `input ${deadInput.table} ${deadInput.gameDate} is dead`, nextAttemptAt: null } });
      chunk.state = 'dead';
    }
  }

  const enqueue: ChunkTransition[] = [];
  const messages: PlannedMessage[] = [];
  let waitingOnDependencies = 0;
  let waitingOnBackoff = 0;
  let heldByCaps = 0;
  const inFlight = { total: input.inFlight.total, byTable: { ...input.inFlight.byTable } };

  if (run.state === 'active') {
    type Candidate = { id: string; gameDate: IsoDate; from: 'pending' | 'failed' | 'queued' };
    const byTable = new Map<AnalyticsTableName, Candidate[]>();
    for (const chunk of [...state.values()].sort((a, b) => a.gameDate.localeCompare(b.gameDate))) {
      let from: Candidate['from'] | null = null;
      if (chunk.state === 'pending') from = 'pending';
      else if (chunk.state === 'failed') {
        if (isDue(chunk, now)) from = 'failed';
        else waitingOnBackoff += 1;
      } else if (chunk.state === 'queued' && chunk.leaseExpiresAt !== null && chunk.leaseExpiresAt <= now) from = 'queued';
      if (!from) continue;
      if (findBlocker(tableSpec(chunk.table), chunk.gameDate, notDone)) {
        waitingOnDependencies += 1;
        continue;
      }
      const list = byTable.get(chunk.table) ?? [];
      list.push({ id: chunk.id, gameDate: chunk.gameDate, from });
      byTable.set(chunk.table, list);
    }
    // The caps count chunks, set for jobs of datesPerJob dates; what BigQuery bounds per table is statements
    // ("UPDATE, DELETE, MERGE DML concurrency": "The UPDATE, DELETE, and MERGE DML statements are called mutating
    // DML statements", limited in how many run and wait per table, https://cloud.google.com/bigquery/docs/data-manipulation-language).
    // So a table whose job size moved keeps as many jobs in flight: its caps move with its size.
    const scaleOf = (table: AnalyticsTableName) => datesPerMessage(limits, input.jobSizes?.[table]) / limits.datesPerJob;
    const maxInFlight = Math.max(1, Math.round(limits.maxInFlight * Math.max(...ANALYTICS_TABLES.map(scaleOf))));
    for (const table of ANALYTICS_TABLES) {
      const list = byTable.get(table);
      if (!list) continue;
      const perMessage = datesPerMessage(limits, input.jobSizes?.[table]);
      const maxInFlightPerTable = Math.max(1, Math.round(limits.maxInFlightPerTable * scaleOf(table)));
      let batch: Candidate[] = [];
      const flush = () => {
        if (batch.length === 0) return;
        messages.push({ table, dates: batch.map((c) => c.gameDate), chunkIds: batch.map((c) => c.id) });
        batch = [];
      };
      for (const candidate of list) {
        // A stalled queued chunk is already counted in flight.
        const adds = candidate.from === 'queued' ? 0 : 1;
        const tableCount = inFlight.byTable[table] ?? 0;
        if (adds && (inFlight.total + 1 > maxInFlight || tableCount + 1 > maxInFlightPerTable)) {
          heldByCaps += 1;
          continue;
        }
        inFlight.total += adds;
        inFlight.byTable[table] = tableCount + adds;
        enqueue.push({
          id: candidate.id,
          from: [candidate.from],
          to: 'queued',
          ...(candidate.from === 'queued' ? { leaseExpiredBy: now } : {}),
          patch: { queuedAt: now, leaseExpiresAt: now + limits.queuedStallMs, leaseOwner: null },
        });
        batch.push(candidate);
        if (batch.length >= perMessage) flush();
      }
      flush();
    }
  }

  const unfinished = [...state.values()].filter((c) => isIn(UNFINISHED_STATES, c.state));
  let finish: ReconcileDecision['finish'] = null;
  if (run.state === 'active' && unfinished.length === 0) {
    const dead = [...state.values()].filter((c) => c.state === 'dead').length;
    finish = dead > 0
      ? { state: 'failed', outcome: `${dead} of ${run.chunkCount} chunks dead` }
      : { state: 'succeeded', outcome: `all ${run.chunkCount} chunks done` };
  }
  return { repairs, enqueue, messages, finish, counts: { waitingOnDependencies, waitingOnBackoff, heldByCaps } };
}
