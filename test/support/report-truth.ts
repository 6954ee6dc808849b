import assert from 'node:assert/strict';
import type { RunProgressView } from '../../shared/api/progress-view.js';
import { CHUNK_STATES, type ChunkState } from '../../shared/chunks/chunk-state.js';
import type { ChunkRecord } from '../../shared/ports/ledger.js';
import type { AnalyticsTableName } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';
import type { DateReason } from '../../shared/verify/date-reason.js';
import type { VerificationReport } from '../../shared/verify/report-schema.js';
import type { StoredCounts } from './exact-rows.js';

/**
 * "The report is truthful": what GET /backfills/:id and GET /verify say is what the checkpoints,
 * read apart, and the warehouse, counted apart, hold.
 */

/** GET /backfills/:id counts every chunk of the run once, in the state its checkpoint holds. */
export function assertProgressMatchesLedger(view: RunProgressView, chunks: readonly ChunkRecord[]): void {
  const mine = chunks.filter((c) => c.runIds.includes(view.run.id));
  assert.equal(view.totals.total, mine.length, 'progress total vs the run\'s checkpoints');
  assert.equal(view.run.chunkCount, mine.length, 'the run\'s chunkCount vs its checkpoints');
  for (const state of CHUNK_STATES) {
    assert.equal(view.totals[state], mine.filter((c) => c.state === state).length, `progress totals.${state} vs the checkpoints`);
  }
  for (const [table, row] of Object.entries(view.byTable)) {
    for (const [state, n] of Object.entries(row ?? {})) {
      assert.equal(n, mine.filter((c) => c.table === table && c.state === state).length, `progress byTable.${table}.${state}`);
    }
  }
  const broken = mine.filter((c) => c.state === 'failed' || c.state === 'dead');
  assert.equal(view.lastErrors.length, Math.min(10, broken.length), 'lastErrors lists the failed and dead chunks');
  for (const e of view.lastErrors) {
    const c = broken.find((x) => x.id === e.id);
    assert.ok(c, `lastErrors names ${e.id}, which is not failed or dead`);
    assert.equal(e.lastError, c.lastError, `${e.id}: lastError`);
    assert.equal(e.attempts, c.attempts, `${e.id}: attempts`);
  }
  if (view.run.state !== 'active') assert.equal(view.etaSeconds, null, 'no ETA for a run that ended');
}

/** Each settled checkpoint's read-back is what the warehouse holds for its partition now. */
export function assertCheckpointsMatchWarehouse(chunks: readonly ChunkRecord[], stored: StoredCounts): void {
  for (const c of chunks) {
    const rows = stored.get(c.table)?.get(c.gameDate) ?? 0;
    if (c.state === 'succeeded') {
      assert.equal(rows, c.rowsFound, `${c.id}: warehouse rows vs the checkpoint's read-back`);
      assert.equal(c.rowsWritten, c.expectedRows, `${c.id}: rows written vs expected`);
      assert.equal(c.rowsFound, c.expectedRows, `${c.id}: rows found vs expected`);
      assert.equal(c.leaseOwner, null, `${c.id}: a settled chunk holds no lease`);
    } else if (c.state === 'no_source') {
      assert.equal(rows, c.rowsFound, `${c.id}: warehouse rows vs the checkpoint's read-back`);
    }
  }
}

export interface ListedDate {
  readonly reason: DateReason;
  readonly rows: number;
  readonly expectedRows: number;
  readonly chunk: { readonly state: ChunkState; readonly attempts: number; readonly lastError: string | null } | null;
}

/** Every date the report lists as not complete, per table, with why. */
export function listedDates(report: VerificationReport): Map<AnalyticsTableName, Map<IsoDate, ListedDate>> {
  const out = new Map<AnalyticsTableName, Map<IsoDate, ListedDate>>();
  for (const t of report.tables) {
    const dates = new Map<IsoDate, ListedDate>();
    for (const p of t.problems) {
      if (p.kind !== 'date_rows') continue;
      for (const d of p.dates) dates.set(d.date, { reason: p.reason, rows: d.rows, expectedRows: d.expectedRows, chunk: d.chunk });
    }
    out.set(t.table, dates);
  }
  return out;
}

export function tableStatuses(report: VerificationReport): Record<string, string> {
  return Object.fromEntries(report.tables.map((t) => [t.table, t.status]));
}

/**
 * The report's counts are the warehouse's: rows per table, every listed date's rows, and no check
 * for wrong data failing (duplicates, unresolved keys, cross-table mismatches).
 */
export function assertReportMatchesWarehouse(report: VerificationReport, stored: StoredCounts): void {
  const listed = listedDates(report);
  for (const t of report.tables) {
    const counts = stored.get(t.table);
    if (!counts) continue;
    // The report covers its scope; the warehouse may hold more (inputs built before it, history first).
    const inScope = [...counts].filter(([date]) => date >= report.scope.start && date <= report.scope.end);
    assert.equal(t.rows, inScope.reduce((a, [, n]) => a + n, 0), `${t.table}: report rows vs the warehouse`);
    for (const [date, d] of listed.get(t.table) ?? []) assert.equal(d.rows, counts.get(date) ?? 0, `${t.table} ${date}: listed rows vs the warehouse`);
    assert.notEqual(t.status, 'FAILED', `${t.table} FAILED: ${t.statusReason}`);
    for (const check of t.checks) {
      if (check.name !== 'coverage') assert.ok(check.passed, `${t.table}: check ${check.name} failed (${t.statusReason})`);
    }
  }
}
