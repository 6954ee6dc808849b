import type { Clock } from '../ports/clock.js';
import type { ChunkRecord, ChunkTransition, Ledger } from '../ports/ledger.js';
import type { Warehouse } from '../ports/warehouse.js';
import type { Logger } from '../log/logger.js';
import type { ChunkMessage } from './chunk-message.js';
import { isDone } from './chunk-state.js';
import { retryDelayMs } from './backoff.js';
import { classifyError } from '../errors/classify.js';
import { errorMessage } from '../errors/errors.js';
import { chunkId } from '../planning/ids.js';
import { loadExpectations, type DateExpectation } from '../planning/expectations.js';
import { findBlocker } from '../planning/dependencies.js';
import { releaseQueued } from './release-queued.js';
import { partitionWriteRequest } from './partition-write.js';
import { currentLineage } from '../lineage/input-fingerprints.js';
import { lineageDrift, type PartitionLineage } from '../lineage/lineage-record.js';
import { recordedPartitions } from '../lineage/recorded-lineage.js';
import { upstreamWindow } from '../lineage/assess-partitions.js';
import type { AnalyticsTableSpec } from '../tables/types.js';
import type { RunMode } from '../tables/names.js';
import { tableSpec } from '../tables/registry.js';
import type { AnalyticsTableName } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';

export interface ChunkProcessorOptions {
  /** Identifies this worker's claims (function instance + invocation, or local process). */
  readonly workerId: string;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Messages older than this are dropped: reconcile republishes whatever still matters. */
  readonly maxEventAgeSeconds?: number;
}

export type ChunkResultState = 'succeeded' | 'no_source' | 'failed' | 'dead' | 'queued' | 'pending';

export interface ChunkResult {
  readonly id: string;
  readonly gameDate: IsoDate;
  readonly state: ChunkResultState;
  readonly rowsWritten?: number;
  readonly rowsFound?: number;
  readonly expectedRows?: number;
  readonly error?: string;
}

export interface ProcessOutcome {
  /** false: a transient or quota error; the transport should redeliver (Pub/Sub: throw). */
  readonly ack: boolean;
  readonly results: readonly ChunkResult[];
  /** Chunks of the message not run, with why (already done, held by another worker, dependency). */
  readonly skipped: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
  readonly error?: string;
}

export interface ChunkProcessor {
  process(message: ChunkMessage): Promise<ProcessOutcome>;
}

interface Deps {
  readonly warehouse: Warehouse;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A read-back mismatch may be a race with another writer: retry it through redelivery. */
const READ_BACK_PREFIX = 'read back';
const CLAIMABLE = ['pending', 'queued', 'failed'] as const;
const NOT_DONE = ['pending', 'queued', 'running', 'failed', 'dead'] as const;

/**
 * Claim, run, read back, checkpoint. Idempotent: a duplicate or late delivery of a finished chunk
 * does nothing; a write whose checkpoint was lost is simply done again (the partition is replaced whole).
 */
export function createChunkProcessor(deps: Deps, options: ChunkProcessorOptions): ChunkProcessor {
  const { warehouse, ledger, clock } = deps;

  async function process(message: ChunkMessage): Promise<ProcessOutcome> {
    const log = deps.logger.child({ runId: message.runId, table: message.table, mode: message.mode });
    const now = clock.now();
    if (options.maxEventAgeSeconds !== undefined && now - message.publishedAt > options.maxEventAgeSeconds * 1000) {
      log.warn('dropping a chunk message older than the maximum event age; reconcile republishes what still matters', {
        ageSeconds: Math.round((now - message.publishedAt) / 1000), dates: message.dates,
      });
      return { ack: true, results: [], skipped: message.dates.map((d) => ({ id: chunkId(message.table, d, message.mode), reason: 'event too old' })) };
    }

    const ids = [...new Set(message.dates)].sort().map((d) => chunkId(message.table, d, message.mode));
    // The run decides the dependency order below: work for a run the ledger does not know, or for a
    // chunk outside the run, would run against nobody's order.
    const run = await ledger.getRun(message.runId);
    if (!run) {
      const skipped = ids.map((id) => ({ id, reason: `no run ${message.runId}` }));
      log.warn('chunk message of a run the ledger does not know; acknowledged without work', { dates: message.dates, skipped });
      return { ack: true, results: [], skipped };
    }
    const skipped: Array<{ id: string; reason: string }> = [];
    const existing = new Map((await ledger.getChunks(ids)).map((c) => [c.id, c]));
    const claimable: string[] = [];
    for (const id of ids) {
      const chunk = existing.get(id);
      if (!chunk) skipped.push({ id, reason: 'unknown chunk (not planned)' });
      else if (!chunk.runIds.includes(run.id)) skipped.push({ id, reason: `not a chunk of run ${run.id}` });
      else if (isDone(chunk.state)) skipped.push({ id, reason: `already ${chunk.state}` });
      else if (chunk.state === 'dead') skipped.push({ id, reason: 'dead' });
      else if (chunk.state === 'failed' && chunk.attempts >= options.maxAttempts) skipped.push({ id, reason: 'out of attempts' });
      else if (chunk.state === 'running' && (chunk.leaseExpiresAt ?? 0) > now) skipped.push({ id, reason: 'held by another worker' });
      else claimable.push(id);
    }

    if (run.state === 'cancelled') {
      // Queued by a reconcile that raced the cancel: put back, so it holds no place in flight.
      await releaseQueued(ledger, claimable);
      for (const id of claimable) skipped.push({ id, reason: 'run cancelled' });
      log.info('run is cancelled; chunk message acknowledged without work', { dates: message.dates });
      return { ack: true, results: [], skipped };
    }

    // Dependency order: never run before the upstream partitions we read are done, whichever run builds them.
    const spec = tableSpec(message.table);
    const runnable = await withoutBlocked(claimable, existing, message, skipped);
    if (runnable.length === 0) {
      if (skipped.length) log.info('nothing to do for this message', { skipped });
      return { ack: true, results: [], skipped };
    }

    const leaseExpiresAt = now + options.leaseMs;
    const claimPatch = { leaseOwner: options.workerId, leaseExpiresAt, startedAt: now };
    const claimed = await ledger.transition(runnable.flatMap((id): ChunkTransition[] => [
      { id, from: CLAIMABLE, to: 'running', patch: claimPatch },
      { id, from: ['running'], to: 'running', patch: claimPatch, leaseExpiredBy: now },
    ]));
    const claimedById = new Map(claimed.map((c) => [c.id, c]));
    for (const id of runnable) if (!claimedById.has(id)) skipped.push({ id, reason: 'claimed by another worker first' });
    if (claimedById.size === 0) return { ack: true, results: [], skipped };

    const chunks = [...claimedById.values()].sort((a, b) => a.gameDate.localeCompare(b.gameDate));
    const dates = chunks.map((c) => c.gameDate);
    const start = dates[0] as IsoDate;
    const end = dates[dates.length - 1] as IsoDate;
    const started = clock.now();
    try {
      const expectations = await loadExpectations(warehouse, spec, message.mode, start, end);
      const { writeDates, unchanged } = await whatToWrite(spec, message.mode, dates, expectations, run.request.reprocess === 'all');
      const lineage = unchanged.lineage;
      const produced = writeDates.length
        ? (await warehouse.replacePartitions(partitionWriteRequest(warehouse.context(message.mode), spec, { runId: message.runId, mode: message.mode, startedAt: started }, writeDates, lineage))).producedByDate
        : {};
      // A partition already built from exactly these inputs holds what the transform would write: it is kept.
      const producedByDate: Record<IsoDate, number> = { ...Object.fromEntries(unchanged.rows), ...produced };
      if (unchanged.rows.size) log.info('partitions kept: built from the same inputs already', { dates: [...unchanged.rows.keys()] });
      const found = await warehouse.countRows(spec, message.mode, dates);
      const durationMs = clock.now() - started;
      const settled = chunks.map((chunk) =>
        settle(chunk, judge(chunk, producedByDate[chunk.gameDate] ?? 0, found[chunk.gameDate] ?? 0, expectations.get(chunk.gameDate)), durationMs));
      await ledger.transition(settled.map((s) => s.transition));
      const results = settled.map((s) => s.result);
      for (const r of results) {
        const fields = { gameDate: r.gameDate, rowsWritten: r.rowsWritten, rowsFound: r.rowsFound, expectedRows: r.expectedRows };
        if (r.state === 'failed' || r.state === 'dead') log.error(`chunk ${r.state}: ${r.error ?? ''}`, fields);
        else if (r.state === 'no_source') log.info('raw data is short for this date: rows written, date not complete', fields);
      }
      log.info('chunk message processed', { dates, durationMs, states: countBy(results.map((r) => r.state)) });
      const transientFailure = results.some((r) => r.state === 'failed' && r.error?.startsWith(READ_BACK_PREFIX));
      return { ack: !transientFailure, results, skipped };
    } catch (error) {
      return fail(chunks, error, skipped, log);
    }
  }

  /**
   * The dates of a job to write, and those to keep: a partition holding the expected rows, built from exactly the
   * inputs as they are now (same lineage), is what the transform would write again (it is deterministic), so a
   * rebuild asked for because an input might have changed costs no write when it did not. `force` (reprocess
   * all) writes everything.
   */
  async function whatToWrite(
    spec: AnalyticsTableSpec,
    mode: RunMode,
    dates: readonly IsoDate[],
    expectations: ReadonlyMap<IsoDate, DateExpectation>,
    force: boolean,
  ): Promise<{ writeDates: IsoDate[]; unchanged: { rows: Map<IsoDate, number>; lineage: ReadonlyMap<IsoDate, PartitionLineage> } }> {
    const lineage = (await currentLineage(warehouse, spec, mode, dates)).byDate;
    const kept = new Map<IsoDate, number>();
    if (!force) {
      const recorded = await recordedPartitions(warehouse, spec, mode, dates);
      for (const date of dates) {
        const held = recorded.get(date);
        const now = lineage.get(date);
        if (held && now && held.rows === (expectations.get(date)?.expectedRows ?? 0) && lineageDrift(held.lineage, now) === null) kept.set(date, held.rows);
      }
    }
    return { writeDates: dates.filter((d) => !kept.has(d)), unchanged: { rows: kept, lineage } };
  }

  async function withoutBlocked(
    ids: string[],
    existing: Map<string, ChunkRecord>,
    message: ChunkMessage,
    skipped: Array<{ id: string; reason: string }>,
  ): Promise<string[]> {
    const spec = tableSpec(message.table);
    if (spec.upstream.length === 0 || ids.length === 0) return ids;
    const dates = ids.map((id) => (existing.get(id) as ChunkRecord).gameDate).sort();
    const notDone = new Map<AnalyticsTableName, IsoDate[]>();
    for (const dep of spec.upstream) {
      // Across every run: an input another run is still building is not done either. Bounded by the dates read;
      // for "every earlier date" the earliest unfinished one decides, so one chunk is read, not all of them.
      const from = upstreamWindow(dep, dates[0] as IsoDate).from;
      const to = upstreamWindow(dep, dates[dates.length - 1] as IsoDate).to;
      if (to < from) continue;
      const rows = await ledger.listChunks({
        table: dep.table, mode: message.mode, states: NOT_DONE, gameDateFrom: from, gameDateTo: to,
        ...(dep.lookbackDays === 'all' ? { limit: 1 } : {}),
      });
      notDone.set(dep.table, rows.map((c) => c.gameDate).sort());
    }
    const runnable: string[] = [];
    for (const id of ids) {
      const chunk = existing.get(id) as ChunkRecord;
      const blocker = findBlocker(spec, chunk.gameDate, notDone);
      if (blocker) skipped.push({ id, reason: `waiting for ${blocker.table} ${blocker.gameDate}` });
      else runnable.push(id);
    }
    // A blocked chunk goes back to pending: reconcile publishes it again once its inputs are done.
    const blocked = ids.filter((id) => !runnable.includes(id));
    if (blocked.length) {
      await ledger.transition(blocked.map((id) => ({ id, from: ['queued'], to: 'pending', patch: { leaseExpiresAt: null, queuedAt: null } })));
    }
    return runnable;
  }

  function judge(chunk: ChunkRecord, produced: number, found: number, expectation: DateExpectation | undefined): ChunkResult {
    const base = { id: chunk.id, gameDate: chunk.gameDate, rowsWritten: produced, rowsFound: found };
    const expectedRows = expectation?.expectedRows ?? 0;
    if (found !== produced) {
      return { ...base, expectedRows, state: 'failed', error: `${READ_BACK_PREFIX} ${found} rows but the write produced ${produced}` };
    }
    if (expectation && expectation.sourceShortGames > 0) {
      return { ...base, expectedRows, state: 'no_source' };
    }
    if (produced !== expectedRows) {
      return { ...base, expectedRows, state: 'failed', error: `transform produced ${produced} rows, the contract expects ${expectedRows}` };
    }
    return { ...base, expectedRows, state: 'succeeded' };
  }

  /** The checkpoint for a judged chunk: a failure spends an attempt, and the last attempt makes it dead. */
  function settle(chunk: ChunkRecord, judged: ChunkResult, durationMs: number): { result: ChunkResult; transition: ChunkTransition } {
    const finishedAt = clock.now();
    const common = {
      rowsWritten: judged.rowsWritten ?? null, rowsFound: judged.rowsFound ?? null, expectedRows: judged.expectedRows ?? null,
      durationMs, finishedAt, leaseOwner: null, leaseExpiresAt: null,
    };
    if (judged.state !== 'failed') {
      return {
        result: judged,
        transition: { id: chunk.id, from: ['running'], to: judged.state, leaseOwner: options.workerId, patch: { ...common, lastError: null, nextAttemptAt: null } },
      };
    }
    const attempts = chunk.attempts + 1;
    const state = attempts >= options.maxAttempts ? 'dead' : 'failed';
    return {
      result: { ...judged, state },
      transition: {
        id: chunk.id, from: ['running'], to: state, leaseOwner: options.workerId,
        patch: {
          ...common, attempts, lastError: judged.error ?? null,
          nextAttemptAt: state === 'dead' ? null : finishedAt + retryDelayMs(attempts, options.retryBaseMs, options.retryMaxMs),
        },
      },
    };
  }

  async function fail(chunks: ChunkRecord[], error: unknown, skipped: Array<{ id: string; reason: string }>, log: Logger): Promise<ProcessOutcome> {
    const kind = classifyError(error);
    const message = errorMessage(error);
    const now = clock.now();
    const transitions: ChunkTransition[] = [];
    const results: ChunkResult[] = [];
    for (const chunk of chunks) {
      if (kind === 'quota') {
        // The engine asked us to slow down: not a failure of the chunk, so no attempt is spent.
        const quotaRetries = chunk.quotaRetries + 1;
        transitions.push({
          id: chunk.id, from: ['running'], to: 'queued', leaseOwner: options.workerId,
          patch: { quotaRetries, lastError: message, leaseOwner: null, leaseExpiresAt: now + retryDelayMs(quotaRetries, options.retryBaseMs, options.retryMaxMs), queuedAt: now },
        });
        results.push({ id: chunk.id, gameDate: chunk.gameDate, state: 'queued', error: message });
        continue;
      }
      const attempts = chunk.attempts + 1;
      const dead = kind === 'permanent' || attempts >= options.maxAttempts;
      transitions.push({
        id: chunk.id, from: ['running'], to: dead ? 'dead' : 'failed', leaseOwner: options.workerId,
        patch: {
          attempts, lastError: message, leaseOwner: null, leaseExpiresAt: null, finishedAt: now,
          nextAttemptAt: dead ? null : now + retryDelayMs(attempts, options.retryBaseMs, options.retryMaxMs),
        },
      });
      results.push({ id: chunk.id, gameDate: chunk.gameDate, state: dead ? 'dead' : 'failed', error: message });
    }
    await ledger.transition(transitions);
    const fields = { kind, error: message, dates: chunks.map((c) => c.gameDate) };
    if (kind === 'quota') log.warn('quota: backing off', fields);
    else log.error(`chunk message failed (${kind})`, fields);
    // Permanent: recorded and acknowledged. Transient and quota: redeliver.
    return { ack: kind === 'permanent', results, skipped, error: message };
  }

  return { process };
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
