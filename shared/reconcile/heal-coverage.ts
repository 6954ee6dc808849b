import { createHash } from 'node:crypto';
import type { Clock } from '../ports/clock.js';
import type { ChunkTransition, Ledger, NewChunk, RunRecord } from '../ports/ledger.js';
import type { Warehouse } from '../ports/warehouse.js';
import type { Logger } from '../log/logger.js';
import type { CoverageTarget } from '../config/config.js';
import { renderQuery } from '../sql/render.js';
import { tableSpec } from '../tables/registry.js';
import { ANALYTICS_TABLES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import { chunkId } from '../planning/ids.js';
import { addDaysIso, formatDateRanges, toIsoDate, type IsoDate } from '../util/dates.js';

export interface CoverageGap {
  readonly table: AnalyticsTableName;
  readonly gameDate: IsoDate;
  readonly expectedRows: number;
  readonly rows: number;
  readonly sourceShort: boolean;
}

export interface HealResult {
  /** The run created (or found) for the gaps, null when nothing needed work. */
  readonly run: RunRecord | null;
  readonly gaps: readonly CoverageGap[];
  /** Gaps left alone because their raw data is short. */
  readonly waitingForSource: readonly CoverageGap[];
  /** Gaps already being worked on by an unfinished chunk. */
  readonly inProgress: number;
}

interface GapRow extends Record<string, unknown> {
  game_date: string;
  expected_rows: number;
  source_short_games: number;
  actual_rows: number;
}

/** Dates of a table in [start, end] whose rows differ from what the schedule says must exist. */
export async function findCoverageGaps(warehouse: Warehouse, table: AnalyticsTableName, mode: RunMode, start: IsoDate, end: IsoDate): Promise<CoverageGap[]> {
  const spec = tableSpec(table);
  const ctx = warehouse.context(mode);
  const sql = `
    WITH expected AS (${spec.expectation(ctx)}),
    actual AS (
      SELECT game_date, COUNT(*) AS actual_rows
      FROM ${ctx.analytics(table)}
      WHERE game_date BETWEEN ${ctx.d.param('start_date', 'DATE')} AND ${ctx.d.param('end_date', 'DATE')}
      GROUP BY game_date
    )
    SELECT e.game_date, e.expected_rows, e.source_short_games, COALESCE(a.actual_rows, 0) AS actual_rows
    FROM expected AS e LEFT JOIN actual AS a ON a.game_date = e.game_date
    WHERE COALESCE(a.actual_rows, 0) <> e.expected_rows
    ORDER BY e.game_date`;
  const { rows } = await warehouse.query<GapRow>(renderQuery(`coverage_gaps_${table}`, sql, { start_date: start, end_date: end }));
  return rows.map((r) => ({
    table, gameDate: String(r.game_date), expectedRows: Number(r.expected_rows), rows: Number(r.actual_rows), sourceShort: Number(r.source_short_games) > 0,
  }));
}

/**
 * Keep each table's coverage target true without anyone starting a run: compare the warehouse with
 * the schedule through yesterday, and start chunks for every final game date missing or short there,
 * including dates whose chunk says succeeded (drift between checkpoints and the warehouse). Dates
 * whose raw data is short are left alone until it arrives.
 */
export async function healCoverage(
  deps: { warehouse: Warehouse; ledger: Ledger; clock: Clock; logger: Logger },
  targets: readonly CoverageTarget[],
  mode: RunMode = 'production',
): Promise<HealResult> {
  const { warehouse, ledger, clock, logger } = deps;
  const now = clock.now();
  const yesterday = addDaysIso(toIsoDate(new Date(now)), -1);
  const gaps: CoverageGap[] = [];
  const waitingForSource: CoverageGap[] = [];
  for (const target of targets) {
    const end = target.end && target.end < yesterday ? target.end : yesterday;
    if (end < target.start) continue;
    for (const gap of await findCoverageGaps(warehouse, target.table, mode, target.start, end)) {
      (gap.sourceShort ? waitingForSource : gaps).push(gap);
    }
  }
  if (waitingForSource.length) {
    for (const table of ANALYTICS_TABLES) {
      const dates = waitingForSource.filter((g) => g.table === table).map((g) => g.gameDate);
      if (dates.length) logger.info('coverage: dates left alone until their raw data arrives (no_source)', { table, dates: dates.length, ranges: formatDateRanges(dates).slice(0, 500) });
    }
  }
  if (gaps.length === 0) return { run: null, gaps, waitingForSource, inProgress: 0 };

  const wanted: NewChunk[] = gaps.map((g) => ({ id: chunkId(g.table, g.gameDate, mode), table: g.table, gameDate: g.gameDate, mode }));
  const existing = new Map((await ledger.getChunks(wanted.map((c) => c.id))).map((c) => [c.id, c]));
  const busy = new Set(['pending', 'queued', 'running', 'failed']);
  // A chunk that changed after the gap query began may have filled the gap it saw (another reconcile
  // healed it meanwhile): acting on the stale gap would make a second heal run and rewrite the
  // partition. The next tick looks again.
  const changedSince = (id: string) => (existing.get(id)?.updatedAt ?? 0) >= now;
  const todo = wanted.filter((c) => !busy.has(existing.get(c.id)?.state ?? 'none') && !changedSince(c.id));
  const inProgress = wanted.length - todo.length;
  if (todo.length === 0) return { run: null, gaps, waitingForSource, inProgress };

  // Same gaps, same run id: two reconciles at once create one run.
  const digest = createHash('sha256').update(todo.map((c) => c.id).join(',')).digest('hex').slice(0, 12);
  const dates = todo.map((c) => c.gameDate).sort();
  const tables = ANALYTICS_TABLES.filter((t) => todo.some((c) => c.table === t));
  const record: RunRecord = {
    id: `heal-${mode === 'test' ? 'test-' : ''}${digest}`,
    request: { tables, start: dates[0] as IsoDate, end: dates[dates.length - 1] as IsoDate, excludeDates: [], mode },
    state: 'active', chunkCount: todo.length, createdAt: now, updatedAt: now, finishedAt: null,
    outcome: null,
  };
  const created = await ledger.createRun(record, todo);
  // The same gaps again (a heal that did not take): the run drives them once more.
  const run = created.run.state === 'active'
    ? created.run
    : (await ledger.updateRun(record.id, ['succeeded', 'failed'], { state: 'active', finishedAt: null, outcome: null, updatedAt: now })) ?? created.run;
  // Chunks that claim to be done but whose partition is missing or short go back to work.
  const reset = todo.filter((c) => existing.has(c.id)).map((c): ChunkTransition => ({
    id: c.id, from: ['succeeded', 'no_source', 'dead'], to: 'pending',
    patch: { attempts: 0, nextAttemptAt: null, lastError: 'coverage: partition missing or short in the warehouse' },
  }));
  if (reset.length) await ledger.transition(reset);
  logger.warn('coverage: starting chunks for dates missing or short in the warehouse', {
    runId: run.id, chunks: todo.length, drifted: reset.length,
    tables: Object.fromEntries(tables.map((t) => [t, formatDateRanges(todo.filter((c) => c.table === t).map((c) => c.gameDate)).slice(0, 300)])),
  });
  return { run, gaps, waitingForSource, inProgress };
}
