import { HISTORY_BEFORE_2018_PLAYOFFS } from '../support/duckdb-fixtures.js';
import assert from 'node:assert/strict';
import type { RunRecord } from '../../shared/ports/ledger.js';
import { ANALYTICS_TABLES } from '../../shared/tables/names.js';
import { useCloudSuite, type FaultStack } from '../support/cloud-suite.js';
import type { ApiResult } from '../support/e2e-stack.js';
import { assertExactRows } from '../support/exact-rows.js';
import { assertCheckpointsMatchWarehouse, assertProgressMatchesLedger, assertReportMatchesWarehouse, listedDates } from '../support/report-truth.js';
import { driveWithScheduler, eventually, progress, schedulerTick, startBackfill, verifyReport } from '../support/scheduler-driver.js';
import { WriteLog } from '../support/write-log.js';

/**
 * A user cancels a run half-way with POST /backfills/:id/cancel while chunks are queued in Pub/Sub
 * and one is between its write and its checkpoint. What was in flight settles, nothing more is
 * written however many scheduler messages come, the report says which dates were not processed,
 * and what the cancelled run left behind holds no one else up.
 */

const RANGE = { start: '2018-04-14', end: '2018-04-22' } as const;
const CAP_PER_TABLE = 2;

describe('fault: a run cancelled mid-way', function () {
  this.timeout(240_000);
  const cloud = useCloudSuite();

  it('settles what was in flight, writes nothing more, reports the rest as not processed, and holds no later run up', async function () {
    const live: { s?: FaultStack; run?: RunRecord } = {};
    let cancel: Promise<ApiResult> | undefined;
    let writesAtCancel = 0;
    const writes = new WriteLog(async (_write, log) => {
      if (cancel || !live.s || !live.run || log.events.length < 10) return;
      // The cancel lands while this chunk sits between its write and its checkpoint.
      writesAtCancel = log.events.length;
      cancel = live.s.api('POST', `/backfills/${live.run.id}/cancel`);
      await cancel;
    });
    const s = (live.s = await cloud.stack({ hooks: writes.hooks, env: { MAX_IN_FLIGHT_PER_TABLE: String(CAP_PER_TABLE) } }));
    const run = (live.run = await startBackfill(s, { tables: 'all', ...RANGE }));
    const total = 45 + HISTORY_BEFORE_2018_PLAYOFFS;
    assert.equal(run.chunkCount, total);

    const ended = await driveWithScheduler(s, run.id);
    const cancelled = await cancel;
    assert.equal(cancelled?.status, 200, cancelled?.text);
    assert.equal(ended.run.state, 'cancelled');

    // Scheduler messages keep coming; whatever was queued is delivered and turned away.
    const runId = run.id;
    await eventually('no chunk of the cancelled run running', async () => {
      await s.topology.publishScheduler('reconcile', 1);
      const docs = await s.chunkDocs();
      return docs.some((c) => c.state === 'running') ? undefined : true;
    });
    const settled = writes.events.length;
    for (let tick = 0; tick < 5; tick += 1) await schedulerTick(s);
    assert.equal(writes.events.length, settled, 'a partition was written after the cancelled run settled');
    assert.ok(settled - writesAtCancel <= CAP_PER_TABLE * ANALYTICS_TABLES.length, `${settled - writesAtCancel} writes after the cancel: more than was in flight`);

    const chunks = (await s.chunkDocs()).filter((c) => c.runIds.includes(runId));
    const done = new Set(chunks.filter((c) => c.state === 'succeeded').map((c) => `${c.table} ${c.gameDate}`));
    assert.ok(done.size >= writesAtCancel && done.size < total, `${done.size} chunks succeeded`);
    for (const c of chunks) assert.ok(['succeeded', 'pending'].includes(c.state), `${c.id} is ${c.state} in a cancelled run, not succeeded or pending`);
    assert.deepEqual([...writes.counts()].filter(([, n]) => n !== 1), [], 'partitions written more than once');

    const view = await progress(s, runId);
    assert.equal(view.run.state, 'cancelled');
    assert.match(view.run.outcome ?? '', /cancelled/);
    assert.equal(view.totals.succeeded, done.size);
    assert.equal(view.totals.pending, total - done.size);
    assertProgressMatchesLedger(view, chunks);

    const stored = await assertExactRows(s.warehouse, { tables: ANALYTICS_TABLES, ...RANGE, empty: (t, d) => !done.has(`${t} ${d}`) });
    assertCheckpointsMatchWarehouse(chunks, stored);
    const report = await verifyReport(s, { tables: 'all', ...RANGE });
    assertReportMatchesWarehouse(report, stored);
    const listed = listedDates(report);
    for (const t of report.tables) {
      const missing = chunks.filter((c) => c.table === t.table && c.state !== 'succeeded' && c.gameDate >= RANGE.start && c.gameDate <= RANGE.end).map((c) => c.gameDate).sort();
      assert.equal(t.status, missing.length ? 'INCOMPLETE' : 'COMPLETE', `${t.table}: ${t.statusReason}`);
      assert.deepEqual([...(listed.get(t.table)?.keys() ?? [])].sort(), missing, `${t.table}: dates listed as missing`);
      for (const d of listed.get(t.table)?.values() ?? []) assert.equal(d.reason, 'not_processed');
    }

    // A run started after the cancel gets its share of the caps.
    const later = await startBackfill(s, { tables: ['team_offense_game_summary', 'team_defense_game_summary'], start: '2018-04-01', end: '2018-04-05' });
    const laterEnded = await driveWithScheduler(s, later.id, { timeoutMs: 60_000 });
    assert.equal(laterEnded.run.state, 'succeeded', JSON.stringify(laterEnded.totals));
    await assertExactRows(s.warehouse, { tables: ['team_offense_game_summary', 'team_defense_game_summary'], start: '2018-04-01', end: '2018-04-05', allowRowsOutside: true });
  });

  it('answers 20 simultaneous cancels of one run with one 200 and nineteen 409 "already cancelled"', async function () {
    const s = await cloud.stack();
    const run = await startBackfill(s, { tables: ['team_offense_game_summary'], ...RANGE });
    const answers = await Promise.all(Array.from({ length: 20 }, () => s.api('POST', `/backfills/${run.id}/cancel`)));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, ...Array<number>(19).fill(409)], answers.map((a) => a.text).join('\n'));
    for (const refused of answers.filter((a) => a.status === 409)) {
      assert.deepEqual(JSON.parse(refused.text), { error: `backfill ${run.id} is already cancelled` });
    }
    assert.equal((await progress(s, run.id)).run.state, 'cancelled');
  });
});
