import { HISTORY_BEFORE_2018_PLAYOFFS } from '../support/duckdb-fixtures.js';
import assert from 'node:assert/strict';
import { chunkId } from '../../shared/planning/ids.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../../shared/tables/names.js';
import { assertExactRows } from '../support/exact-rows.js';
import { FaultyWarehouse, invalidQuery } from '../support/faulty-warehouse.js';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack.js';
import { assertCheckpointsMatchWarehouse, assertProgressMatchesLedger, assertReportMatchesWarehouse, listedDates, tableStatuses } from '../support/report-truth.js';

/**
 * One chunk's warehouse write fails every time. It must spend its attempts and end dead, take with
 * it the chunks that read its partition (they could only be computed wrong), let everything else
 * finish, end the run, and the reports must name the dead dates and the error, not call them done.
 */

const RANGE = { start: '2018-04-14', end: '2018-04-20' } as const;
const VICTIM = { table: 'team_defense_game_summary' as AnalyticsTableName, date: '2018-04-16' };
const CONTEXT: AnalyticsTableName = 'upcoming_player_game_context';
const MAX_ATTEMPTS = 3;

describe('fault: a chunk that fails every time', function () {
  this.timeout(120_000);
  let stack: InProcessStack | undefined;

  afterEach(async function () {
    await stack?.close();
    stack = undefined;
  });

  async function runWithFailingWrite(error?: () => Error): Promise<{ s: InProcessStack; faulty: FaultyWarehouse; runId: string }> {
    let faulty: FaultyWarehouse | undefined;
    const s = await startInProcessStack({
      maxAttempts: MAX_ATTEMPTS,
      wrapWarehouse: (engine) => (faulty = new FaultyWarehouse(engine, [{ at: 'write', ...VICTIM, ...(error ? { error } : {}) }])),
    });
    stack = s;
    const run = await s.start({ tables: 'all', ...RANGE });
    assert.equal(run.chunkCount, 35 + HISTORY_BEFORE_2018_PLAYOFFS);
    const ended = await s.drive(run.id);
    assert.notEqual(ended.state, 'active', 'the run ended');
    return { s, faulty: faulty as FaultyWarehouse, runId: run.id };
  }

  /** The victim, and every context date after it (they read the victim's partition). */
  function deadDates(table: AnalyticsTableName, date: string): boolean {
    return (table === VICTIM.table && date === VICTIM.date) || (table === CONTEXT && date > VICTIM.date);
  }

  it('ends a chunk whose write fails every time dead after its attempts, with the chunks that read it, and fails the run saying why', async function () {
    const { s, faulty, runId } = await runWithFailingWrite();
    assert.equal(faulty.struck.length, MAX_ATTEMPTS, 'each attempt met the fault once, and there were no more');

    const chunks = await s.chunks(runId);
    const victim = chunks.find((c) => c.id === chunkId(VICTIM.table, VICTIM.date, 'production'));
    assert.equal(victim?.state, 'dead');
    assert.equal(victim?.attempts, MAX_ATTEMPTS);
    assert.match(victim?.lastError ?? '', /backendError|Retrying may solve the problem/);
    for (const c of chunks) {
      if (c === victim) continue;
      if (deadDates(c.table, c.gameDate)) {
        assert.equal(c.state, 'dead', c.id);
        assert.equal(c.lastError, `input ${VICTIM.table} ${VICTIM.date} is dead`, c.id);
        assert.equal(c.rowsWritten, null, `${c.id} was never written`);
      } else {
        assert.equal(c.state, 'succeeded', `${c.id}: ${c.lastError ?? ''}`);
      }
    }
    const dead = chunks.filter((c) => c.state === 'dead');
    assert.equal(dead.length, 5);

    const view = await s.progress(runId);
    assert.equal(view.run.state, 'failed');
    assert.equal(view.run.outcome, `5 of ${35 + HISTORY_BEFORE_2018_PLAYOFFS} chunks dead`);
    assert.equal(view.totals.dead, 5);
    assert.equal(view.totals.succeeded, 30 + HISTORY_BEFORE_2018_PLAYOFFS);
    assertProgressMatchesLedger(view, chunks);

    const stored = await assertExactRows(s.engine, { tables: ANALYTICS_TABLES, ...RANGE, empty: deadDates });
    assertCheckpointsMatchWarehouse(chunks, stored);
    const report = await s.verify({ tables: 'all', ...RANGE });
    assertReportMatchesWarehouse(report, stored);
    assert.deepEqual(tableStatuses(report), {
      player_game_summary: 'COMPLETE',
      team_offense_game_summary: 'COMPLETE',
      team_defense_game_summary: 'INCOMPLETE',
      upcoming_team_game_context: 'COMPLETE',
      upcoming_player_game_context: 'INCOMPLETE',
    });
    const listed = listedDates(report);
    const defense = listed.get(VICTIM.table);
    assert.deepEqual([...(defense?.keys() ?? [])], [VICTIM.date]);
    assert.equal(defense?.get(VICTIM.date)?.reason, 'dead');
    assert.equal(defense?.get(VICTIM.date)?.chunk?.attempts, MAX_ATTEMPTS);
    assert.match(defense?.get(VICTIM.date)?.chunk?.lastError ?? '', /backendError|Retrying may solve the problem/);
    const context = listed.get(CONTEXT);
    assert.deepEqual([...(context?.keys() ?? [])].sort(), ['2018-04-17', '2018-04-18', '2018-04-19', '2018-04-20']);
    for (const d of context?.values() ?? []) {
      assert.equal(d.reason, 'dead');
      assert.equal(d.chunk?.lastError, `input ${VICTIM.table} ${VICTIM.date} is dead`);
    }
  });

  it('ends a chunk whose write fails permanently dead at its first attempt', async function () {
    const { s, faulty, runId } = await runWithFailingWrite(invalidQuery);
    assert.equal(faulty.struck.length, 1, 'a permanent error is not retried');
    const chunks = await s.chunks(runId);
    const victim = chunks.find((c) => c.id === chunkId(VICTIM.table, VICTIM.date, 'production'));
    assert.equal(victim?.state, 'dead');
    assert.equal(victim?.attempts, 1);
    assert.match(victim?.lastError ?? '', /invalidQuery|Unrecognized name/);
    assert.equal(chunks.filter((c) => c.state === 'dead').length, 5);

    const view = await s.progress(runId);
    assert.equal(view.run.state, 'failed');
    assertProgressMatchesLedger(view, chunks);
    const stored = await assertExactRows(s.engine, { tables: ANALYTICS_TABLES, ...RANGE, empty: deadDates });
    const report = await s.verify({ tables: 'all', ...RANGE });
    assertReportMatchesWarehouse(report, stored);
    assert.equal(listedDates(report).get(VICTIM.table)?.get(VICTIM.date)?.reason, 'dead');
  });
});
