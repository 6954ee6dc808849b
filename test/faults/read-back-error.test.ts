import { HISTORY_BEFORE_2018_PLAYOFFS } from '../support/duckdb-fixtures.js';
import assert from 'node:assert/strict';
import { chunkId } from '../../shared/planning/ids.js';
import type { ChunkRecord } from '../../shared/ports/ledger.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../../shared/tables/names.js';
import { assertExactRows } from '../support/exact-rows.js';
import { FaultyWarehouse, rateLimitExceeded, type WarehouseFault } from '../support/faulty-warehouse.js';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack.js';
import { assertCheckpointsMatchWarehouse, assertProgressMatchesLedger, assertReportMatchesWarehouse, listedDates, tableStatuses } from '../support/report-truth.js';

/**
 * The partition write commits, then reading it back fails or says something else than the write.
 * Nothing may be checkpointed as done on a read-back that did not confirm it: the chunk is tried
 * again (the partition replaced whole, never appended to), and the reports tell what happened.
 */

const RANGE = { start: '2018-04-14', end: '2018-04-20' } as const;
const ALL_COMPLETE = Object.fromEntries(ANALYTICS_TABLES.map((t) => [t, 'COMPLETE']));

describe('fault: a warehouse error on the read-back', function () {
  this.timeout(120_000);
  let stack: InProcessStack | undefined;

  afterEach(async function () {
    await stack?.close();
    stack = undefined;
  });

  async function runWith(fault: WarehouseFault, options: { datesPerJob?: number } = {}) {
    let faulty: FaultyWarehouse | undefined;
    const s = await startInProcessStack({ maxAttempts: 3, ...options, wrapWarehouse: (engine) => (faulty = new FaultyWarehouse(engine, [fault])) });
    stack = s;
    const run = await s.start({ tables: 'all', ...RANGE });
    const ended = await s.drive(run.id);
    const chunks = await s.chunks(run.id);
    const chunk = (table: AnalyticsTableName, date: string) => chunks.find((c) => c.id === chunkId(table, date, 'production'));
    return { s, faulty: faulty as FaultyWarehouse, runId: run.id, ended, chunks, chunk };
  }

  /** Rows exact, and the checkpoints, the progress view and the report all saying so, every table COMPLETE. */
  async function assertEndedExact(s: InProcessStack, runId: string, chunks: readonly ChunkRecord[]): Promise<void> {
    const stored = await assertExactRows(s.engine, { tables: ANALYTICS_TABLES, ...RANGE });
    assertCheckpointsMatchWarehouse(chunks, stored);
    assertProgressMatchesLedger(await s.progress(runId), chunks);
    const report = await s.verify({ tables: 'all', ...RANGE });
    assertReportMatchesWarehouse(report, stored);
    assert.deepEqual(tableStatuses(report), ALL_COMPLETE);
  }

  it('retries every date of a job whose read-back failed once by splitting the job, keeping the partitions the first write made right, and ends exact and checkpointed once', async function () {
    // Three dates a job: the failed read-back of one date fails the job; the retry policy splits it at once
    // (failure isolation), and the halves succeed, so no date is charged an attempt.
    const { s, faulty, runId, ended, chunks, chunk } = await runWith({ at: 'read-back', table: 'team_offense_game_summary', date: '2018-04-15', times: 1 }, { datesPerJob: 3 });
    assert.equal(ended.state, 'succeeded', ended.outcome ?? '');
    assert.equal(faulty.struck.length, 1);
    assert.ok(s.logs.events.some((e) => /splitting it to find the date that fails/.test(e.message) && e.fields.table === 'team_offense_game_summary'), 'the job was split');
    for (const date of ['2018-04-14', '2018-04-15', '2018-04-16']) {
      const c = chunk('team_offense_game_summary', date);
      assert.equal(c?.state, 'succeeded', date);
      assert.equal(c?.attempts, 0, `${date}: the split job succeeded, no attempt is charged`);
      assert.equal(c?.lastError, null, `${date}: a success clears the error`);
      // The retry finds each partition holding its expected rows, built from the same inputs: kept, not rewritten.
      assert.equal(faulty.writes.get(`team_offense_game_summary ${date}`), 1, `${date} was written once`);
    }
    assert.ok(s.logs.events.some((e) => e.message === 'partitions kept: built from the same inputs already' && e.fields.table === 'team_offense_game_summary'));

    await assertEndedExact(s, runId, chunks);
  });

  it('does not checkpoint a partition whose read-back counts other rows than the write made, and ends exact', async function () {
    const { s, faulty, runId, ended, chunks, chunk } = await runWith({ at: 'read-back', table: 'player_game_summary', date: '2018-04-17', times: 1, miscount: (n) => n + 3 });
    assert.equal(ended.state, 'succeeded', ended.outcome ?? '');
    assert.equal(faulty.struck.length, 1);
    const c = chunk('player_game_summary', '2018-04-17');
    assert.equal(c?.state, 'succeeded');
    assert.equal(c?.attempts, 1);
    assert.equal(faulty.writes.get('player_game_summary 2018-04-17'), 1, 'the write was right: the retry keeps it');
    assert.ok(s.logs.events.some((e) => e.severity === 'ERROR' && /read back \d+ rows but the write produced \d+/.test(e.message)), 'the mismatch was logged');

    await assertEndedExact(s, runId, chunks);
  });

  it('backs off a chunk whose read-back meets a rate limit without spending its attempts', async function () {
    const { s, faulty, runId, ended, chunks, chunk } = await runWith({
      at: 'read-back', table: 'team_defense_game_summary', date: '2018-04-18', times: 4, error: () => rateLimitExceeded('nba_analytics.team_defense_game_summary'),
    });
    assert.equal(ended.state, 'succeeded', ended.outcome ?? '');
    assert.equal(faulty.struck.length, 4, 'more rate limits than attempts, and the chunk still got through');
    const c = chunk('team_defense_game_summary', '2018-04-18');
    assert.equal(c?.state, 'succeeded');
    assert.equal(c?.attempts, 0);
    assert.equal(c?.quotaRetries, 4);

    await assertEndedExact(s, runId, chunks);
  });

  it('reports a partition that is written but never confirmed as dead in the checkpoints, and its readers as dead in the report', async function () {
    const victim = { table: 'team_defense_game_summary' as AnalyticsTableName, date: '2018-04-16' };
    const { s, faulty, runId, ended, chunks, chunk } = await runWith({ at: 'read-back', ...victim });
    assert.equal(ended.state, 'failed');
    assert.equal(faulty.struck.length, 3);
    const c = chunk(victim.table, victim.date);
    assert.equal(c?.state, 'dead');
    assert.match(c?.lastError ?? '', /backendError|Retrying may solve the problem/);
    const readers = chunks.filter((x) => x.table === 'upcoming_player_game_context' && x.gameDate > victim.date);
    assert.equal(readers.length, 4);
    for (const r of readers) assert.equal(r.state, 'dead', r.id);

    const view = await s.progress(runId);
    assert.equal(view.run.outcome, `5 of ${35 + HISTORY_BEFORE_2018_PLAYOFFS} chunks dead`);
    assertProgressMatchesLedger(view, chunks);
    // The rows are there (the first write committed; the retries found them built from the same inputs and kept
    // them, and their read-back failed again); the readers were never written.
    const stored = await assertExactRows(s.engine, {
      tables: ANALYTICS_TABLES, ...RANGE, empty: (t, d) => t === 'upcoming_player_game_context' && d > victim.date,
    });
    assert.equal(faulty.writes.get(`${victim.table} ${victim.date}`), 1);
    const report = await s.verify({ tables: 'all', ...RANGE });
    assertReportMatchesWarehouse(report, stored);
    // The warehouse decides: the partition is complete, and the ledger beside it says its chunk is dead.
    const defense = report.tables.find((t) => t.table === victim.table);
    assert.equal(defense?.status, 'COMPLETE', defense?.statusReason);
    assert.equal(defense?.ledger?.chunksByState.dead, 1);
    const context = listedDates(report).get('upcoming_player_game_context');
    assert.deepEqual([...(context?.keys() ?? [])].sort(), readers.map((r) => r.gameDate).sort());
    for (const d of context?.values() ?? []) assert.equal(d.reason, 'dead');
  });
});
