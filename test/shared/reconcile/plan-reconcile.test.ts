import assert from 'node:assert/strict';
import {
  admitWithinCaps, messageSizes, pipelinedJobSizes, planReconcile, propagateDeadInputs, readyCandidates, repairLeasesAndAttempts, runFinish, type Candidate, type ReconcileLimits,
} from '../../../shared/reconcile/plan-reconcile.js';
import type { AnalyticsTableName } from '../../../shared/tables/names.js';
import type { ChunkRecord } from '../../../shared/ports/ledger.js';
import { chunk, runRecord } from '../../support/records.js';
import { parseBackfillRequest } from '../../../shared/planning/backfill-request.js';

const NOW = 1_000_000;
const limits: ReconcileLimits = { maxInFlight: 100, maxInFlightPerTable: 100, maxAttempts: 3, datesPerJob: 1, maxDatesPerJob: 1, queuedStallMs: 60_000 };
const plan = (chunks: ChunkRecord[], extra: Partial<Parameters<typeof planReconcile>[0]> = {}) =>
  planReconcile({ run: runRecord(), chunks, inFlight: { total: 0, byTable: {} }, now: NOW, limits, ...extra });

describe('reconcile decisions', () => {
  it('publishes pending chunks, one message per date by default', () => {
    const d = plan([chunk('team_offense_game_summary', '2021-11-01'), chunk('team_offense_game_summary', '2021-11-02')]);
    assert.deepEqual(d.messages.map((m) => m.dates), [['2021-11-01'], ['2021-11-02']]);
    assert.ok(d.enqueue.every((t) => t.to === 'queued' && t.from[0] === 'pending'));
  });

  it('puts several dates in one message when a job may write several', () => {
    const chunks = ['01', '02', '03'].map((d) => chunk('team_offense_game_summary', `2021-11-${d}`));
    const d = plan(chunks, { limits: { ...limits, datesPerJob: 2, maxDatesPerJob: 2 } });
    assert.deepEqual(d.messages.map((m) => m.dates), [['2021-11-01', '2021-11-02'], ['2021-11-03']]);
  });

  it('holds each table\'s messages past its first two of a pass, two by two, so its jobs queue in date order', () => {
    const offense = Array.from({ length: 6 }, (_, i) => chunk('team_offense_game_summary', `2021-11-0${i + 1}`));
    const defense = Array.from({ length: 3 }, (_, i) => chunk('team_defense_game_summary', `2021-11-0${i + 1}`));
    const held = { ...limits, queueOrderHoldMs: 2000 };
    const d = plan([...offense, ...defense], { limits: held });
    const holds = (table: string) => d.messages.filter((m) => m.table === table).map((m) => [m.dates[0], m.holdMs ?? 0]);
    // Each table counts its own places: the earliest dates go first, a pair at a time.
    assert.deepEqual(holds('team_offense_game_summary'), [
      ['2021-11-01', 0], ['2021-11-02', 0], ['2021-11-03', 2000], ['2021-11-04', 2000], ['2021-11-05', 4000], ['2021-11-06', 4000],
    ]);
    assert.deepEqual(holds('team_defense_game_summary'), [['2021-11-01', 0], ['2021-11-02', 0], ['2021-11-03', 2000]]);
    // Without a hold configured (local runs), no message carries one.
    assert.ok(plan(offense, { limits }).messages.every((m) => m.holdMs === undefined));
  });

  it('shares a pass\'s dates over the table\'s free DML slots when they would fill fewer jobs, else packs full jobs', () => {
    assert.deepEqual(messageSizes(848, 400, 0), [400, 400, 48], 'no slot free: full jobs, the last one shorter');
    assert.deepEqual(messageSizes(848, 400, 2), [400, 400, 48], 'as many jobs as free slots or more: the same');
    assert.deepEqual(messageSizes(400, 400, 2), [200, 200], 'one job beside an idle slot: two halves');
    assert.deepEqual(messageSizes(401, 400, 1), [400, 1]);
    assert.deepEqual(messageSizes(5, 200, 2), [3, 2]);
    assert.deepEqual(messageSizes(1, 200, 2), [1], 'one date is one job');
    assert.deepEqual(messageSizes(0, 200, 2), []);
    // Through a pass: a table of size 4 with nothing in flight sends 4 dates as two jobs; with one job in flight, as one.
    const chunks = ['01', '02', '03', '04'].map((d) => chunk('team_offense_game_summary', `2021-11-${d}`));
    const sized = { ...limits, datesPerJob: 4, maxDatesPerJob: 4, maxInFlightPerTable: 8, tableDmlSlots: 2 };
    assert.deepEqual(plan(chunks, { limits: sized }).messages.map((m) => m.dates.length), [2, 2]);
    assert.deepEqual(plan(chunks, { limits: { ...sized, tableDmlSlots: 0 } }).messages.map((m) => m.dates.length), [4], 'DuckDB: no slots to share');
    const busy = plan(chunks, { limits: sized, inFlight: { total: 4, byTable: { team_offense_game_summary: 4 } } });
    assert.deepEqual(busy.messages.map((m) => m.dates.length), [4]);
  });

  it('keeps a table that another table of the run reads at the first job size; a table nobody in the run reads keeps its learnt size', () => {
    const learnt = { player_game_summary: 800, team_defense_game_summary: 50, team_offense_game_summary: 800, upcoming_player_game_context: 800 };
    const all = parseBackfillRequest({ tables: 'all', start: '2021-11-01', end: '2021-11-30' }).tables;
    assert.deepEqual(pipelinedJobSizes(learnt, all, { datesPerJob: 200 }), {
      player_game_summary: 200, team_defense_game_summary: 50, team_offense_game_summary: 800, upcoming_player_game_context: 800,
    });
    // Without upcoming_player_game_context in the run, nothing reads player_game_summary: its size is its own.
    assert.deepEqual(pipelinedJobSizes(learnt, ['player_game_summary', 'team_defense_game_summary'], { datesPerJob: 200 }), learnt);
    const chunks = Array.from({ length: 9 }, (_, i) => chunk('player_game_summary', `2021-11-0${i + 1}`));
    const sized = { ...limits, datesPerJob: 2, maxDatesPerJob: 8, maxInFlightPerTable: 100 };
    assert.deepEqual(plan(chunks, { limits: sized, jobSizes: { player_game_summary: 8 } }).messages.map((m) => m.dates.length), [2, 2, 2, 2, 1]);
  });

  it('sizes each table\'s messages by its learnt job size, within maxDatesPerJob, and keeps as many jobs in flight', () => {
    const chunks = Array.from({ length: 9 }, (_, i) => chunk('team_offense_game_summary', `2021-11-0${i + 1}`));
    const sized = { ...limits, datesPerJob: 2, maxDatesPerJob: 4, maxInFlight: 4, maxInFlightPerTable: 4 };
    // Learnt 8, capped at 4: the per-table cap of 4 chunks (2 jobs of 2) becomes 8 chunks (2 jobs of 4).
    const grown = plan(chunks, { limits: sized, jobSizes: { team_offense_game_summary: 8 } });
    assert.deepEqual(grown.messages.map((m) => m.dates.length), [4, 4]);
    assert.equal(grown.counts.heldByCaps, 1);
    // Without a learnt size, datesPerJob; with maxDatesPerJob at datesPerJob the size never moves.
    assert.deepEqual(plan(chunks, { limits: sized }).messages.map((m) => m.dates.length), [2, 2]);
    assert.deepEqual(plan(chunks, { limits: { ...sized, maxDatesPerJob: sized.datesPerJob }, jobSizes: { team_offense_game_summary: 8 } }).messages.map((m) => m.dates.length), [2, 2]);
    // Shrunk to 1 by a rate limit: 2 jobs of 1 in flight.
    assert.deepEqual(plan(chunks, { limits: sized, jobSizes: { team_offense_game_summary: 1 } }).messages.map((m) => m.dates.length), [1, 1]);
  });

  it('puts back a chunk whose lease expired, spending an attempt, and republishes it', () => {
    const stuck = chunk('team_offense_game_summary', '2021-11-01', 'running', { leaseExpiresAt: NOW - 1, leaseOwner: 'w1', attempts: 1 });
    const d = plan([stuck]);
    assert.deepEqual(d.repairs.map((t) => [t.to, t.patch?.attempts, t.leaseExpiredBy]), [['failed', 2, NOW]]);
    assert.deepEqual(d.enqueue.map((t) => t.from), [['failed']]);
  });

  it('leaves a running chunk with a live lease alone', () => {
    const d = plan([chunk('team_offense_game_summary', '2021-11-01', 'running', { leaseExpiresAt: NOW + 1 })]);
    assert.equal(d.repairs.length + d.enqueue.length, 0);
    assert.equal(d.finish, null);
  });

  it('waits for the back-off of a failed chunk, then retries it', () => {
    const failed = chunk('team_offense_game_summary', '2021-11-01', 'failed', { attempts: 1, nextAttemptAt: NOW + 5 });
    assert.equal(plan([failed]).enqueue.length, 0);
    assert.equal(plan([failed]).counts.waitingOnBackoff, 1);
    assert.equal(plan([failed], { now: NOW + 5 }).enqueue.length, 1);
  });

  it('marks a chunk dead once it is out of attempts, and the run failed with the count', () => {
    const d = plan([chunk('team_offense_game_summary', '2021-11-01', 'failed', { attempts: 3 })]);
    assert.deepEqual(d.repairs.map((t) => t.to), ['dead']);
    assert.deepEqual(d.finish, { state: 'failed', outcome: '1 of 10 chunks dead' });
  });

  it('holds chunks beyond the cap of chunks in flight, overall and per table', () => {
    const chunks = ['01', '02', '03'].map((d) => chunk('team_offense_game_summary', `2021-11-${d}`));
    const overall = plan(chunks, { inFlight: { total: 99, byTable: {} } });
    assert.equal(overall.enqueue.length, 1);
    assert.equal(overall.counts.heldByCaps, 2);
    const perTable = plan(chunks, { limits: { ...limits, maxInFlightPerTable: 2 }, inFlight: { total: 1, byTable: { team_offense_game_summary: 1 } } });
    assert.equal(perTable.enqueue.length, 1);
  });

  it('publishes a context chunk only after the upstream dates it reads are done', () => {
    const upstream = chunk('player_game_summary', '2021-11-01');
    const context = chunk('upcoming_player_game_context', '2021-11-02');
    const first = plan([upstream, context]);
    assert.deepEqual(first.messages.map((m) => m.table), ['player_game_summary']);
    assert.equal(first.counts.waitingOnDependencies, 1);
    const later = plan([context]);
    assert.deepEqual(later.messages.map((m) => m.table), ['upcoming_player_game_context']);
  });

  it('with fixed job sizes, a reader whose inputs have jobs in flight or going sends full messages only; otherwise what is ready goes', () => {
    const fixed = { ...limits, datesPerJob: 4, maxDatesPerJob: 4 };
    const U = 'upcoming_player_game_context';
    // 11-01 reads no earlier date of its inputs, so it is ready; 11-03 reads player_game_summary's 11-02.
    const reader = [chunk(U, '2021-11-01'), chunk(U, '2021-11-03')];
    const sent = (input: ChunkRecord, extra: Partial<Parameters<typeof planReconcile>[0]> = {}) =>
      plan([input, ...reader], { limits: fixed, ...extra }).messages.map((m) => `${m.table} ${m.dates.join(',')}`);
    const input = (state: ChunkRecord['state'], extra: Partial<ChunkRecord> = {}) => chunk('player_game_summary', '2021-11-02', state, extra);
    assert.deepEqual(sent(input('running')), [], 'its input is running: 11-01 waits to go with the dates that job makes ready');
    assert.deepEqual(sent(input('queued')), []);
    assert.deepEqual(sent(input('pending')), ['player_game_summary 2021-11-02'], 'the input goes this pass, the reader waits for it');
    assert.equal(plan([input('running'), ...reader], { limits: fixed }).counts.heldByCaps, 1);
    // Nothing of its inputs moving (a failed input backs off): nothing would make more dates ready soon, so 11-01 goes.
    assert.deepEqual(sent(input('failed', { nextAttemptAt: NOW + 60_000, attempts: 1 })), [`${U} 2021-11-01`]);
    // Learnt sizes (the cloud's): a short first job is how a table's size starts to grow, so it goes.
    assert.deepEqual(sent(input('running'), { limits: { ...fixed, maxDatesPerJob: 8 } }), [`${U} 2021-11-01`]);
    // A message's worth of ready dates goes as usual, all of them (the caps, not this rule, bound how many).
    const ready = ['01', '02', '04'].map((d) => chunk(U, `2021-10-${d}`));
    const full = plan([input('running'), ...ready, ...reader], { limits: fixed }).messages;
    assert.deepEqual(full.map((m) => m.dates), [['2021-10-01', '2021-10-02', '2021-10-04', '2021-11-01']]);
    const capped = plan([input('running'), ...ready, ...reader], { limits: fixed, inFlight: { total: 98, byTable: {} } }).messages;
    assert.deepEqual(capped.map((m) => m.dates), [['2021-10-01', '2021-10-02']], 'two admitted by the caps still go: never starved by them');
  });

  it('marks a chunk dead when an input it reads is dead, saying which', () => {
    const d = plan([chunk('player_game_summary', '2021-11-01', 'dead'), chunk('upcoming_player_game_context', '2021-11-05')]);
    const t = d.repairs.find((r) => r.id.startsWith('upcoming'));
    assert.equal(t?.to, 'dead');
    assert.match(String(t?.patch?.lastError), /input player_game_summary 2021-11-01 is dead/);
  });

  it('republishes a queued chunk whose message was lost, without counting it in flight twice', () => {
    const lost = chunk('team_offense_game_summary', '2021-11-01', 'queued', { leaseExpiresAt: NOW - 1 });
    const d = plan([lost], { inFlight: { total: 100, byTable: {} } });
    assert.equal(d.enqueue.length, 1, 'a full cap does not hold a chunk already counted in flight');
    assert.equal(d.enqueue[0]?.leaseExpiredBy, NOW, 'guarded so two reconciles cannot both republish it');
  });

  it('republishes stalled queued chunks within the caps: after the job size shrank they do not flood the table', () => {
    // 8 chunks queued under a job size of 4 (caps 8 chunks a table), backed off; the size is now 1, so the cap is 2.
    const stalled = Array.from({ length: 8 }, (_, i) => chunk('team_offense_game_summary', `2021-11-0${i + 1}`, 'queued', { leaseExpiresAt: NOW - 1 }));
    const sized = { ...limits, datesPerJob: 4, maxDatesPerJob: 4, maxInFlightPerTable: 8 };
    const d = plan(stalled, { limits: sized, jobSizes: { team_offense_game_summary: 1 }, inFlight: { total: 8, byTable: { team_offense_game_summary: 8 } } });
    assert.deepEqual(d.messages.map((m) => m.dates), [['2021-11-01'], ['2021-11-02']]);
    assert.equal(d.counts.heldByCaps, 6);
    // The held ones stay queued with their lease over, so the next tick sees them again.
    assert.ok(d.repairs.length === 0);
  });

  it('finishes a run whose chunks are all done', () => {
    assert.deepEqual(plan([]).finish, { state: 'succeeded', outcome: 'all 10 chunks done' });
    assert.equal(plan([chunk('team_offense_game_summary', '2021-11-01', 'succeeded')]).finish?.state, 'succeeded');
  });

  it('publishes nothing for a cancelled run', () => {
    const d = plan([chunk('team_offense_game_summary', '2021-11-01')], { run: runRecord({ state: 'cancelled' }) });
    assert.equal(d.messages.length, 0);
    assert.equal(d.finish, null);
  });
});

describe('reconcile phases, each on its own', () => {
  const T = 'team_offense_game_summary';

  it('leases and attempts: an expired lease costs an attempt, a live one and a chunk with attempts left are untouched', () => {
    const expired = chunk(T, '2021-11-01', 'running', { leaseExpiresAt: NOW, leaseOwner: 'w1', attempts: 0 });
    const live = chunk(T, '2021-11-02', 'running', { leaseExpiresAt: NOW + 1, leaseOwner: 'w2' });
    const spent = chunk(T, '2021-11-03', 'failed', { attempts: 3 });
    const left = chunk(T, '2021-11-04', 'failed', { attempts: 2 });
    const r = repairLeasesAndAttempts([expired, live, spent, left], NOW, limits);
    assert.deepEqual(r.repairs.map((t) => [t.id, t.from, t.to]), [[expired.id, ['running'], 'failed'], [spent.id, ['failed'], 'dead']]);
    assert.deepEqual(r.chunks.map((c) => c.state), ['failed', 'running', 'dead', 'failed']);
    assert.equal(r.chunks[0]?.attempts, 1, 'the view carries the patch');
    assert.equal(expired.state, 'running', 'the input records are not changed');
    // The last attempt lost to a lease is the end of the chunk.
    assert.deepEqual(repairLeasesAndAttempts([{ ...expired, attempts: 2 }], NOW, limits).repairs.map((t) => t.to), ['dead']);
  });

  it('dead inputs: kills pending and failed readers of a dead partition, not queued or running ones, nor other tables', () => {
    const dead = chunk('player_game_summary', '2021-11-01', 'dead');
    const reader = chunk('upcoming_player_game_context', '2021-11-05');
    const failedReader = chunk('upcoming_player_game_context', '2021-11-06', 'failed', { attempts: 1 });
    const running = chunk('upcoming_player_game_context', '2021-11-07', 'running', { leaseExpiresAt: NOW + 1 });
    const unrelated = chunk(T, '2021-11-05');
    const r = propagateDeadInputs([dead, reader, failedReader, running, unrelated]);
    assert.deepEqual(r.repairs.map((t) => t.id), [reader.id, failedReader.id]);
    assert.deepEqual(r.chunks.map((c) => c.state), ['dead', 'dead', 'dead', 'running', 'pending']);
    assert.match(String(r.chunks[1]?.lastError), /input player_game_summary 2021-11-01 is dead/);
    assert.deepEqual(propagateDeadInputs([reader, unrelated]).repairs, [], 'nothing dead, nothing to do');
  });

  it('readiness: pending, due failed and stalled queued chunks go in date order; back-off and upstream dates hold the rest', () => {
    const chunks = [
      chunk(T, '2021-11-03'),
      chunk(T, '2021-11-01', 'failed', { attempts: 1, nextAttemptAt: NOW }),
      chunk(T, '2021-11-02', 'failed', { attempts: 1, nextAttemptAt: NOW + 1 }),
      chunk(T, '2021-11-04', 'queued', { leaseExpiresAt: NOW }),
      chunk(T, '2021-11-05', 'queued', { leaseExpiresAt: NOW + 1 }),
      chunk('player_game_summary', '2021-11-01', 'running', { leaseExpiresAt: NOW + 1 }),
      chunk('upcoming_player_game_context', '2021-11-02'),
    ];
    const r = readyCandidates(chunks, NOW);
    assert.deepEqual([...r.byTable.keys()], [T]);
    assert.deepEqual(r.byTable.get(T)?.map((c) => [c.gameDate, c.from]), [['2021-11-01', 'failed'], ['2021-11-03', 'pending'], ['2021-11-04', 'queued']]);
    assert.equal(r.waitingOnBackoff, 1);
    assert.equal(r.waitingOnDependencies, 1, 'the context date waits for the running player date');
  });

  it('caps and batching: admits within both caps, packs by job size, and a stalled queued chunk takes no new slot', () => {
    const ready = new Map<AnalyticsTableName, Candidate[]>([
      [T, ['01', '02', '03', '04', '05'].map((d) => ({ id: `o-${d}`, gameDate: `2021-11-${d}`, from: 'pending' as const }))],
      ['team_defense_game_summary', [{ id: 'd-01', gameDate: '2021-11-01', from: 'queued' }, { id: 'd-02', gameDate: '2021-11-02', from: 'pending' }]],
    ]);
    const capped = { ...limits, datesPerJob: 2, maxDatesPerJob: 2, maxInFlight: 4, maxInFlightPerTable: 3 };
    const a = admitWithinCaps({ ready, inFlight: { total: 1, byTable: { team_defense_game_summary: 1 } }, now: NOW, limits: capped });
    assert.deepEqual(a.messages.map((m) => [m.table, m.chunkIds]), [
      [T, ['o-01', 'o-02']], [T, ['o-03']],
      ['team_defense_game_summary', ['d-01']],
    ]);
    assert.equal(a.heldByCaps, 3, 'two offense dates over the table cap, one defense date over the overall cap');
    assert.deepEqual(a.enqueue.map((t) => t.from[0]), ['pending', 'pending', 'pending', 'queued']);
    assert.ok(a.enqueue.every((t) => t.patch?.leaseExpiresAt === NOW + capped.queuedStallMs));
  });

  it('a table whose job size shrank below where it started sends no partial message while it has jobs in flight', () => {
    const ready = new Map<AnalyticsTableName, Candidate[]>([
      [T, ['01', '02', '03', '04', '05', '06', '07'].map((d) => ({ id: `o-${d}`, gameDate: `2021-11-${d}`, from: 'pending' as const }))],
    ]);
    const sized = { ...limits, datesPerJob: 4, maxDatesPerJob: 8, maxInFlight: 100, maxInFlightPerTable: 100 };
    const admit = (jobSize: number, flying: number) =>
      admitWithinCaps({ ready, inFlight: { total: flying, byTable: { [T]: flying } }, now: NOW, limits: sized, jobSizes: { [T]: jobSize } });
    // Shrunk to 3 with a job in flight: two full messages, the 7th date waits for the pass that job's end nudges.
    const rationed = admit(3, 3);
    assert.deepEqual(rationed.messages.map((m) => m.chunkIds), [['o-01', 'o-02', 'o-03'], ['o-04', 'o-05', 'o-06']]);
    assert.deepEqual(rationed.enqueue.map((t) => t.id), ['o-01', 'o-02', 'o-03', 'o-04', 'o-05', 'o-06']);
    assert.equal(rationed.heldByCaps, 1);
    // Nothing in flight: nothing would nudge a later pass, so the partial message goes now.
    assert.deepEqual(admit(3, 0).messages.map((m) => m.dates.length), [3, 3, 1]);
    // At or above its starting size the table is not rationed: partial messages go as before.
    assert.deepEqual(admit(4, 4).messages.map((m) => m.dates.length), [4, 3]);
  });

  it('a paced table (its rate counts partitions) keeps three jobs in flight: one a DML slot and one waiting for the window', () => {
    const ready = new Map<AnalyticsTableName, Candidate[]>([
      [T, Array.from({ length: 9 }, (_, i) => ({ id: `o-${i + 1}`, gameDate: `2021-11-0${i + 1}`, from: 'pending' as const }))],
    ]);
    const sized = { ...limits, datesPerJob: 2, maxDatesPerJob: 8, maxInFlight: 100, maxInFlightPerTable: 8 };
    const admit = (pacedTables: AnalyticsTableName[], flying = 0) =>
      admitWithinCaps({ ready, inFlight: { total: flying, byTable: { [T]: flying } }, now: NOW, limits: sized, jobSizes: { [T]: 2 }, pacedTables });
    assert.deepEqual(admit([]).messages.map((m) => m.dates.length), [2, 2, 2, 2], 'not paced: the cap of 8 chunks, 4 jobs');
    assert.deepEqual(admit([T]).messages.map((m) => m.chunkIds), [['o-1', 'o-2'], ['o-3', 'o-4'], ['o-5', 'o-6']], 'paced: 3 jobs, the earliest dates');
    assert.deepEqual(admit([T], 4).messages.map((m) => m.dates.length), [2], 'two jobs in flight: one more');
    assert.equal(admit(['player_game_summary']).messages.length, 4, 'another table paced: this one is not');
  });

  it('the end: an active run with nothing unfinished succeeds, or fails counting its dead; otherwise no end', () => {
    const run = runRecord();
    assert.equal(runFinish(run, [chunk(T, '2021-11-01', 'queued')]), null);
    assert.equal(runFinish(run, [chunk(T, '2021-11-01', 'failed', { attempts: 1 })]), null);
    assert.deepEqual(runFinish(run, [chunk(T, '2021-11-01', 'dead'), chunk(T, '2021-11-02', 'dead')]), { state: 'failed', outcome: '2 of 10 chunks dead' });
    assert.deepEqual(runFinish(run, []), { state: 'succeeded', outcome: 'all 10 chunks done' });
    assert.equal(runFinish(runRecord({ state: 'cancelled' }), []), null);
  });
});
