import { createHash } from 'node:crypto';
import type { Clock } from '../ports/clock.js';
import type { Ledger, NewChunk, RunRecord } from '../ports/ledger.js';
import type { PartitionVersions, Warehouse } from '../ports/warehouse.js';
import { errorMessage } from '../errors/errors.js';
import { configKeyOf, datesToLookAt, memoryDocuments, readMemory } from './heal-changes.js';
import type { Logger } from '../log/logger.js';
import type { CoverageTarget } from '../config/config.js';
import { ANALYTICS_TABLES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import { assessPartitions, type TableAssessment } from '../lineage/assess-partitions.js';
import { planChunks } from '../planning/plan-chunks.js';
import { parseBackfillRequest } from '../planning/backfill-request.js';
import { anotherRound } from '../chunks/rounds.js';
import { UNFINISHED_STATES, isIn, type ChunkState } from '../chunks/chunk-state.js';
import { formatDateRanges, yesterdayOf, type IsoDate } from '../util/dates.js';

export interface CoverageGap {
  readonly table: AnalyticsTableName;
  readonly gameDate: IsoDate;
}

export interface HealResult {
  /** The run created (or found) for the gaps, null when nothing needed work. */
  readonly run: RunRecord | null;
  /** Partitions of the targets (and the inputs they read) the warehouse lacks, holds short or in excess, or holds stale. */
  readonly gaps: readonly CoverageGap[];
  /** Dates whose raw data is short, holding what it allows: left alone until it changes (then they are stale). */
  readonly waitingForSource: readonly CoverageGap[];
  /** Gaps already being worked on by an unfinished chunk. */
  readonly inProgress: number;
  /**
   * What the pass looked at: `nothing` when partition metadata showed no change since the last clean pass,
   * `changes` when only what changed, `everything` otherwise (no memory, another configuration, gaps left).
   */
  readonly looked: 'nothing' | 'changes' | 'everything';
}

/**
 * Keep each table's coverage target true without anyone starting a run: assess the warehouse against the
 * schedule and the inputs through yesterday, and start chunks for every partition missing, short, in excess or
 * stale there (with the upstream partitions they read, history first), including dates whose chunk says
 * succeeded (drift between checkpoints and the warehouse). Dates whose raw data is short hold what it allows
 * and are left alone until it changes.
 */
export async function healCoverage(
  deps: { warehouse: Warehouse; ledger: Ledger; clock: Clock; logger: Logger },
  targets: readonly CoverageTarget[],
  mode: RunMode = 'production',
  options: { readonly excludeDates?: readonly IsoDate[] } = {},
): Promise<HealResult> {
  const { warehouse, ledger, clock, logger } = deps;
  const now = clock.now();
  const yesterday = yesterdayOf(now);
  const allScopes = targets
    .map((t) => ({ table: t.table, start: t.start, end: t.end && t.end < yesterday ? t.end : yesterday }))
    .filter((t) => t.end >= t.start);
  if (allScopes.length === 0) return { run: null, gaps: [], waitingForSource: [], inProgress: 0, looked: 'nothing' };
  // Partition metadata first: where nothing changed since the last clean pass, nothing more is read.
  const configKey = configKeyOf(allScopes, options.excludeDates ?? []);
  const versions = await partitionVersions(warehouse, mode, logger);
  const memory = versions ? await readMemory(mode, (key) => ledger.getState(key)) : null;
  const narrowed = versions ? datesToLookAt(allScopes, memory, { configKey, through: yesterday, versions }) : null;
  const looked = narrowed === null ? 'everything' : narrowed.length === 0 ? 'nothing' : 'changes';
  const remember = async (clean: boolean) => {
    if (!versions) return;
    const next = { configKey, through: yesterday, clean, versions };
    for (const doc of memoryDocuments(mode, next)) {
      const source = doc.key.slice(`heal-${mode}.`.length);
      const unchanged = doc.key !== `heal-${mode}` && JSON.stringify(memory?.versions[source]) === JSON.stringify(versions[source]);
      if (!unchanged) await ledger.putState(doc.key, doc.value);
    }
  };
  if (looked === 'nothing') {
    logger.info('coverage: no partition changed since the last clean pass; nothing to look at', { through: yesterday });
    await remember(true);
    return { run: null, gaps: [], waitingForSource: [], inProgress: 0, looked };
  }
  const scopes = narrowed ?? allScopes;
  if (narrowed) logger.info('coverage: looking at what changed since the last pass', { scopes: narrowed });
  const assessments = await assessPartitions(warehouse, mode, scopes);
  const wanted = new Map<string, NewChunk>();
  for (const scope of scopes) {
    const excludeDates = (options.excludeDates ?? []).filter((d) => d >= scope.start && d <= scope.end);
    const plan = planChunks(parseBackfillRequest({ tables: [scope.table], start: scope.start, end: scope.end, excludeDates, mode }), assessments);
    const rebuild = new Set(plan.rebuild);
    for (const chunk of plan.chunks) if (rebuild.has(chunk.id)) wanted.set(chunk.id, chunk);
  }
  const gaps = [...wanted.values()].map((c) => ({ table: c.table, gameDate: c.gameDate }));
  const waitingForSource = scopes.flatMap((s) => shortAndCurrent(assessments.get(s.table), s.start, s.end));
  if (waitingForSource.length) {
    for (const table of ANALYTICS_TABLES) {
      const dates = waitingForSource.filter((g) => g.table === table).map((g) => g.gameDate);
      if (dates.length) logger.info('coverage: dates left alone until their raw data arrives (no_source)', { table, dates: dates.length, ranges: formatDateRanges(dates).slice(0, 500) });
    }
  }
  await remember(gaps.length === 0);
  if (gaps.length === 0) return { run: null, gaps, waitingForSource, inProgress: 0, looked };

  const existing = new Map((await ledger.getChunks([...wanted.keys()])).map((c) => [c.id, c]));
  // A chunk that changed after the assessment began may have filled the gap it saw (another reconcile healed
  // it meanwhile): acting on the stale gap would make a second heal run and rewrite the partition. The next
  // pass looks again.
  const changedSince = (id: string) => (existing.get(id)?.updatedAt ?? 0) >= now;
  // A chunk linked to an active run whose round began after the chunk last changed is being sent back to work
  // by whoever started that round: the reset is one compare-and-set per chunk, so another pass can find some
  // chunks reset and others not yet, and would make a second heal run of the rest.
  const rounds = new Map((await ledger.listRuns({ states: ['active'] })).map((r) => [r.id, r.roundStartedAt]));
  const beingReset = (id: string) => {
    const chunk = existing.get(id);
    return chunk !== undefined && chunk.runIds.some((runId) => (rounds.get(runId) ?? -Infinity) >= chunk.updatedAt);
  };
  const todo = [...wanted.values()].filter((c) => !underWay(existing.get(c.id)?.state) && !changedSince(c.id) && !beingReset(c.id));
  const inProgress = wanted.size - todo.length;
  if (todo.length === 0) return { run: null, gaps, waitingForSource, inProgress, looked };

  // Same gaps, same run id: two reconciles at once create one run.
  const digest = createHash('sha256').update(todo.map((c) => c.id).join(',')).digest('hex').slice(0, 12);
  const dates = todo.map((c) => c.gameDate).sort();
  const tables = ANALYTICS_TABLES.filter((t) => todo.some((c) => c.table === t));
  const record: RunRecord = {
    id: `heal-${mode === 'test' ? 'test-' : ''}${digest}`,
    request: { tables, start: dates[0] as IsoDate, end: dates[dates.length - 1] as IsoDate, excludeDates: [], mode, reprocess: 'none' },
    state: 'active', chunkCount: todo.length, createdAt: now, updatedAt: now, finishedAt: null,
    outcome: null, roundStartedAt: now,
  };
  const created = await ledger.createRun(record, todo);
  // The same gaps again (a heal that did not take): the run drives them once more.
  const run = created.run.state === 'active'
    ? created.run
    : (await ledger.updateRun(record.id, ['succeeded', 'failed'], { state: 'active', finishedAt: null, outcome: null, updatedAt: now, roundStartedAt: now })) ?? created.run;
  // Chunks that claim to be done but whose partition is missing, short or stale go back to work.
  const reset = todo.flatMap((c) => {
    const chunk = existing.get(c.id);
    return chunk ? [anotherRound(chunk)] : [];
  });
  if (reset.length) await ledger.transition(reset);
  logger.warn('coverage: starting chunks for partitions missing, short or stale in the warehouse', {
    runId: run.id, chunks: todo.length, drifted: reset.length,
    tables: Object.fromEntries(tables.map((t) => [t, formatDateRanges(todo.filter((c) => c.table === t).map((c) => c.gameDate)).slice(0, 300)])),
  });
  return { run, gaps, waitingForSource, inProgress, looked };
}

/** Metadata when the warehouse has it; null (look at everything) when it does not or cannot answer now. */
async function partitionVersions(warehouse: Warehouse, mode: RunMode, logger: Logger): Promise<PartitionVersions | null> {
  if (!warehouse.partitionVersions) return null;
  try {
    return await warehouse.partitionVersions(mode);
  } catch (error) {
    logger.warn('coverage: partition metadata unavailable; looking at everything this pass', { error: errorMessage(error) });
    return null;
  }
}

function shortAndCurrent(assessment: TableAssessment | undefined, start: IsoDate, end: IsoDate): CoverageGap[] {
  if (!assessment) return [];
  return assessment.expectations
    .filter((e) => e.date >= start && e.date <= end && e.sourceShortGames > 0 && !assessment.stale.has(e.date)
      && (assessment.counts.get(e.date)?.rows ?? 0) === e.expectedRows)
    .map((e) => ({ table: assessment.table, gameDate: e.date }));
}

/** Work under way for a chunk (any state the run cannot end in): a gap it covers is being healed already. */
function underWay(state: ChunkState | undefined): boolean {
  return state !== undefined && isIn(UNFINISHED_STATES, state);
}
