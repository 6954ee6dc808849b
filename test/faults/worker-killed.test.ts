import { HISTORY_BEFORE_2018_PLAYOFFS } from '../support/duckdb-fixtures.js';
import assert from 'node:assert/strict';
import type { VerificationReport } from '../../shared/verify/report-schema.js';
import { useCloudSuite, type FaultStack } from '../support/cloud-suite.js';
import { assertRunEndedExactAndTrue, driveWithScheduler, startBackfill, verifyReport } from '../support/scheduler-driver.js';
import { WriteLog } from '../support/write-log.js';
import { WorkerCrash } from '../support/write-hooks.js';

/**
 * A function instance dies after the warehouse committed a partition and before the checkpoint:
 * the chunk is left running with a lease, Pub/Sub sees the push fail, and nobody says the work was
 * done. Reconcile must take the chunk back when the lease expires and the partition be written again
 * (replaced whole), never appended to.
 */

// The 2018 playoffs: complete raw data for all five tables, so every chunk can succeed.
const RANGE = { start: '2018-04-14', end: '2018-04-18' } as const;

describe('fault: a worker killed between its partition write and its checkpoint', function () {
  this.timeout(180_000);
  const cloud = useCloudSuite();

  it('takes each killed chunk back after its lease, keeps the partition its write left, and ends with every partition exact and the report truthful', async function () {
    // Two dates a message, so a kill also strands a chunk that shared the victim's write job.
    const victims = ['team_offense_game_summary 2018-04-15', 'player_game_summary 2018-04-17', 'upcoming_player_game_context 2018-04-18'];
    const killed: string[] = [];
    const duringKill: VerificationReport[] = [];
    const live: { s?: FaultStack } = {};
    const writes = new WriteLog(async (write) => {
      const victim = write.dates.map((d) => `${write.table} ${d}`).find((k) => victims.includes(k) && !killed.includes(k));
      if (!victim || !live.s) return;
      killed.push(victim);
      // The partition is written and its chunk running: what a dead instance leaves. The report must
      // not call that table complete.
      duringKill.push(await verifyReport(live.s, { tables: [write.table], ...RANGE }));
      throw new WorkerCrash(`instance killed after writing ${victim}, before its checkpoint`);
    });
    const s = (live.s = await cloud.stack({ hooks: writes.hooks, env: { DATES_PER_JOB: '2' } }));

    const run = await startBackfill(s, { tables: 'all', ...RANGE });
    assert.equal(run.chunkCount, 25 + HISTORY_BEFORE_2018_PLAYOFFS);
    const ended = await driveWithScheduler(s, run.id);
    assert.equal(ended.run.state, 'succeeded', JSON.stringify({ totals: ended.totals, errors: ended.lastErrors }));
    assert.deepEqual([...killed].sort(), [...victims].sort(), 'every victim was killed once');
    for (const report of duringKill) {
      assert.equal(report.tables[0]?.status, 'IN_PROGRESS', `while a killed chunk held its lease: ${report.tables[0]?.statusReason ?? ''}`);
    }

    const chunks = await assertRunEndedExactAndTrue(s, run.id, RANGE);
    for (const victim of victims) {
      const [table, date] = victim.split(' ');
      // The write before the kill committed: the retry finds the partition built from the same inputs and keeps it.
      assert.equal(writes.counts().get(victim) ?? 0, 1, `${victim} was written once, and kept by the retry after the kill`);
      const c = chunks.find((x) => x.table === table && x.gameDate === date);
      assert.equal(c?.state, 'succeeded', victim);
    }
    assert.equal(ended.totals.succeeded, 25 + HISTORY_BEFORE_2018_PLAYOFFS);
  });
});
