import assert from 'node:assert/strict';
import type { Clock } from '../../shared/ports/clock.js';
import type { ChunkPatch, ChunkRecord, Ledger, NewChunk, RunRecord } from '../../shared/ports/ledger.js';
import type { BackfillRequest } from '../../shared/planning/backfill-request.js';
import { chunkId } from '../../shared/planning/ids.js';
import type { AnalyticsTableName, RunMode } from '../../shared/tables/names.js';
import { eachDate, type IsoDate } from '../../shared/util/dates.js';

/**
 * What every Ledger must do, run against each adapter (BullMQ's adapter-conformance idea): the
 * local ledger and the Firestore ledger on the real emulator answer these the same way.
 */

export interface LedgerHarness {
  readonly ledger: Ledger;
  /** A second ledger over the same storage, as another process would have one; omit when only one can exist. */
  peer?(): Promise<Ledger>;
  /** Close the ledger and open its storage again (adapters that keep it on this machine). */
  reopen?(): Promise<Ledger>;
  /** Close what the harness opened and remove what the test wrote. */
  dispose(): Promise<void>;
}

/** Builds a fresh, empty ledger for one test; the clock is the test's. */
export type LedgerFactory = (clock: Clock) => Promise<LedgerHarness>;

export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export function testRequest(overrides: Partial<BackfillRequest> = {}): BackfillRequest {
  return { tables: ['player_game_summary'], start: '2024-01-01', end: '2024-01-10', excludeDates: [], mode: 'production', reprocess: 'none', ...overrides };
}

export function testRun(id: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id, request: testRequest(), state: 'active', chunkCount: 0, createdAt: T0, updatedAt: T0, finishedAt: null, outcome: null, roundStartedAt: T0, ...overrides,
  };
}

export function testChunks(table: AnalyticsTableName, start: IsoDate, end: IsoDate, mode: RunMode = 'production'): NewChunk[] {
  return eachDate(start, end).map((gameDate) => ({ id: chunkId(table, gameDate, mode), table, gameDate, mode }));
}

const ids = (chunks: readonly { id: string }[]) => chunks.map((c) => c.id);
const sorted = (values: readonly string[]) => [...values].sort();

/**
 * `durable: false` for a ledger that by design does not outlive its close (LocalLedger in memory): the
 * close-and-reopen cases are then not part of its suite, rather than reported pending on every run.
 */
export function ledgerConformance(name: string, factory: LedgerFactory, kind: { readonly durable: boolean } = { durable: true }): void {
  describe(`${name} (Ledger conformance)`, function () {
    let now: number;
    const clock: Clock = { now: () => now };
    let harness: LedgerHarness;
    let ledger: Ledger;

    beforeEach(async function () {
      now = T0 + 60_000;
      harness = await factory(clock);
      ledger = harness.ledger;
    });

    afterEach(async function () {
      await harness.dispose();
    });

    async function chunk(id: string): Promise<ChunkRecord> {
      const [found] = await ledger.getChunks([id]);
      assert.ok(found, `chunk ${id} exists`);
      return found;
    }

    async function seed(runId = 'run-a', chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-03')) {
      return ledger.createRun(testRun(runId, { chunkCount: chunks.length }), chunks);
    }

    describe('createRun', function () {
      it('records the run and its chunks, each pending and linked to the run', async function () {
        const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-03');
        const run = testRun('run-a', { chunkCount: 3 });
        const result = await ledger.createRun(run, chunks);
        assert.deepEqual(result, { run, created: true, chunksAdded: 3 });
        assert.deepEqual(await ledger.getRun('run-a'), run);
        const stored = await ledger.getChunks(ids(chunks));
        assert.deepEqual(stored, chunks.map((c): ChunkRecord => ({
          ...c, runIds: ['run-a'], state: 'pending', attempts: 0, priorAttempts: 0, quotaRetries: 0, leaseOwner: null, leaseExpiresAt: null,
          nextAttemptAt: null, lastError: null, rowsWritten: null, rowsFound: null, expectedRows: null, durationMs: null,
          queuedAt: null, startedAt: null, finishedAt: null, updatedAt: now,
        })));
      });

      it('creating the same run again adds nothing, keeps chunk states and returns the stored run', async function () {
        const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-03');
        const first = testRun('run-a', { chunkCount: 3 });
        await ledger.createRun(first, chunks);
        const [firstChunk] = chunks as [NewChunk];
        await ledger.transition([{ id: firstChunk.id, from: ['pending'], to: 'queued', patch: { queuedAt: now } }]);

        const again = await ledger.createRun(testRun('run-a', { chunkCount: 99, outcome: 'different' }), chunks);

        assert.deepEqual(again, { run: first, created: false, chunksAdded: 0 });
        assert.equal((await chunk(firstChunk.id)).state, 'queued');
        assert.deepEqual((await chunk(firstChunk.id)).runIds, ['run-a']);
        assert.equal((await ledger.listRuns()).length, 1);
      });

      it('a second run over overlapping chunks links its id to them without resetting their state', async function () {
        await seed('run-a', testChunks('player_game_summary', '2024-01-01', '2024-01-03'));
        const done = chunkId('player_game_summary', '2024-01-02', 'production');
        await ledger.transition([{ id: done, from: ['pending'], to: 'succeeded', patch: { attempts: 1, rowsWritten: 240 } }]);

        const result = await ledger.createRun(testRun('run-b'), testChunks('player_game_summary', '2024-01-02', '2024-01-05'));

        assert.equal(result.created, true);
        assert.equal(result.chunksAdded, 2);
        const shared = await chunk(done);
        assert.deepEqual(shared.runIds, ['run-a', 'run-b']);
        assert.equal(shared.state, 'succeeded');
        assert.equal(shared.rowsWritten, 240);
        assert.deepEqual((await chunk(chunkId('player_game_summary', '2024-01-01', 'production'))).runIds, ['run-a']);
        assert.deepEqual(ids(await ledger.listChunks({ runId: 'run-b' })), ids(testChunks('player_game_summary', '2024-01-02', '2024-01-05')));
      });

      it('counts a chunk named twice in one call once', async function () {
        const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-02');
        const result = await ledger.createRun(testRun('run-a'), [...chunks, ...chunks]);
        assert.equal(result.chunksAdded, 2);
        assert.equal((await ledger.listChunks({ runId: 'run-a' })).length, 2);
      });

      it('creates and lists a run larger than one write batch', async function () {
        this.timeout(60_000);
        const chunks = testChunks('player_game_summary', '2020-01-01', '2023-04-15');
        assert.ok(chunks.length > 1200);
        const result = await ledger.createRun(testRun('run-big', { chunkCount: chunks.length }), chunks);
        assert.equal(result.chunksAdded, chunks.length);
        assert.deepEqual(ids(await ledger.listChunks({ runId: 'run-big' })), ids(chunks));
        assert.deepEqual(ids(await ledger.listChunks({ runId: 'run-big', limit: 1100 })), ids(chunks).slice(0, 1100));
        assert.deepEqual(await ledger.countChunks('run-big'), [{ table: 'player_game_summary', state: 'pending', count: chunks.length }]);
      });
    });

    describe('runs', function () {
      it('getRun of an unknown run is null', async function () {
        assert.equal(await ledger.getRun('run-nobody'), null);
      });

      it('lists runs newest first, filtered by state and limited', async function () {
        await ledger.createRun(testRun('run-1', { createdAt: T0 }), []);
        await ledger.createRun(testRun('run-2', { createdAt: T0 + 2, state: 'succeeded' }), []);
        await ledger.createRun(testRun('run-3', { createdAt: T0 + 1 }), []);
        await ledger.createRun(testRun('run-4', { createdAt: T0 + 3, state: 'cancelled' }), []);

        assert.deepEqual(ids(await ledger.listRuns()), ['run-4', 'run-2', 'run-3', 'run-1']);
        assert.deepEqual(ids(await ledger.listRuns({ states: ['active'] })), ['run-3', 'run-1']);
        assert.deepEqual(ids(await ledger.listRuns({ states: ['active', 'succeeded'] })), ['run-2', 'run-3', 'run-1']);
        assert.deepEqual(ids(await ledger.listRuns({ limit: 2 })), ['run-4', 'run-2']);
        assert.deepEqual(ids(await ledger.listRuns({ states: ['failed'] })), []);
        assert.deepEqual(ids(await ledger.listRuns({ states: [] })), []);
      });

      it('updateRun applies the patch only while the run is in one of the expected states', async function () {
        await seed('run-a');
        now += 5_000;
        const finished = await ledger.updateRun('run-a', ['active'], { state: 'succeeded', finishedAt: now, outcome: 'all chunks done' });
        const expected: RunRecord = { ...testRun('run-a', { chunkCount: 3 }), state: 'succeeded', finishedAt: now, outcome: 'all chunks done', updatedAt: now };
        assert.deepEqual(finished, expected);
        assert.deepEqual(await ledger.getRun('run-a'), expected);

        now += 5_000;
        assert.equal(await ledger.updateRun('run-a', ['active'], { state: 'cancelled' }), null);
        assert.deepEqual(await ledger.getRun('run-a'), expected);
      });

      it('updateRun keeps an updatedAt the patch carries and leaves undefined keys alone', async function () {
        await seed('run-a');
        const updated = await ledger.updateRun('run-a', ['active', 'failed'], { updatedAt: 42, outcome: undefined, chunkCount: 7 });
        assert.equal(updated?.updatedAt, 42);
        assert.equal(updated?.outcome, null);
        assert.equal((await ledger.getRun('run-a'))?.chunkCount, 7);
      });

      it('updateRun of an unknown run is null', async function () {
        assert.equal(await ledger.updateRun('run-nobody', ['active'], { state: 'failed' }), null);
        assert.equal(await ledger.getRun('run-nobody'), null);
      });
    });

    describe('reading chunks', function () {
      beforeEach(async function () {
        await ledger.createRun(testRun('run-a'), [
          ...testChunks('player_game_summary', '2024-01-01', '2024-01-04'),
          ...testChunks('team_offense_game_summary', '2024-01-01', '2024-01-02'),
          ...testChunks('player_game_summary', '2024-01-01', '2024-01-01', 'test'),
        ]);
        await ledger.createRun(testRun('run-b'), testChunks('team_defense_game_summary', '2024-01-01', '2024-01-03'));
        await ledger.transition([
          { id: chunkId('player_game_summary', '2024-01-02', 'production'), from: ['pending'], to: 'queued' },
          { id: chunkId('player_game_summary', '2024-01-03', 'production'), from: ['pending'], to: 'succeeded' },
          { id: chunkId('team_offense_game_summary', '2024-01-02', 'production'), from: ['pending'], to: 'queued' },
          { id: chunkId('team_defense_game_summary', '2024-01-01', 'production'), from: ['pending'], to: 'queued' },
          { id: chunkId('player_game_summary', '2024-01-01', 'test'), from: ['pending'], to: 'queued' },
        ]);
      });

      it('getChunks returns the known chunks in the order asked, each once, and leaves unknown ids out', async function () {
        const asked = [
          chunkId('team_offense_game_summary', '2024-01-02', 'production'),
          'player_game_summary.1999-01-01.production',
          chunkId('player_game_summary', '2024-01-01', 'production'),
          chunkId('team_offense_game_summary', '2024-01-02', 'production'),
        ];
        assert.deepEqual(ids(await ledger.getChunks(asked)), [asked[0], asked[2]]);
        assert.deepEqual(await ledger.getChunks([]), []);
        assert.deepEqual(await ledger.getChunks(['nothing.here']), []);
      });

      it('listChunks filters by run, states, table and mode together, in id order', async function () {
        assert.deepEqual(ids(await ledger.listChunks({ runId: 'run-a', states: ['queued'] })), sorted([
          chunkId('player_game_summary', '2024-01-02', 'production'),
          chunkId('player_game_summary', '2024-01-01', 'test'),
          chunkId('team_offense_game_summary', '2024-01-02', 'production'),
        ]));
        assert.deepEqual(ids(await ledger.listChunks({ runId: 'run-a', states: ['queued'], table: 'player_game_summary', mode: 'production' })), [
          chunkId('player_game_summary', '2024-01-02', 'production'),
        ]);
        assert.deepEqual(ids(await ledger.listChunks({ runId: 'run-a', table: 'player_game_summary', states: ['pending', 'succeeded'] })), [
          chunkId('player_game_summary', '2024-01-01', 'production'),
          chunkId('player_game_summary', '2024-01-03', 'production'),
          chunkId('player_game_summary', '2024-01-04', 'production'),
        ]);
        assert.deepEqual(ids(await ledger.listChunks({ runId: 'run-a', mode: 'test' })), [chunkId('player_game_summary', '2024-01-01', 'test')]);
        assert.deepEqual(ids(await ledger.listChunks({ states: ['queued'] })), sorted([
          chunkId('player_game_summary', '2024-01-02', 'production'),
          chunkId('player_game_summary', '2024-01-01', 'test'),
          chunkId('team_offense_game_summary', '2024-01-02', 'production'),
          chunkId('team_defense_game_summary', '2024-01-01', 'production'),
        ]));
        assert.deepEqual(ids(await ledger.listChunks({ table: 'team_defense_game_summary', mode: 'production', states: ['pending'] })), [
          chunkId('team_defense_game_summary', '2024-01-02', 'production'),
          chunkId('team_defense_game_summary', '2024-01-03', 'production'),
        ]);
        assert.equal((await ledger.listChunks({})).length, 10);
      });

      it('listChunks bounds game dates across runs, earliest first, so limit 1 finds the first not-done input', async function () {
        const notDone = ['pending', 'queued', 'running', 'failed', 'dead'] as const;
        const query = { table: 'player_game_summary', mode: 'production', states: notDone } as const;
        assert.deepEqual(ids(await ledger.listChunks({ ...query, gameDateTo: '2024-01-03' })), [
          chunkId('player_game_summary', '2024-01-01', 'production'),
          chunkId('player_game_summary', '2024-01-02', 'production'),
        ]);
        assert.deepEqual(ids(await ledger.listChunks({ ...query, gameDateFrom: '2024-01-02', gameDateTo: '2024-01-04', limit: 1 })), [
          chunkId('player_game_summary', '2024-01-02', 'production'),
        ]);
        assert.deepEqual(ids(await ledger.listChunks({ ...query, gameDateFrom: '2024-01-03', limit: 1 })), [
          chunkId('player_game_summary', '2024-01-04', 'production'),
        ]);
        assert.deepEqual(await ledger.listChunks({ ...query, gameDateTo: '2023-12-31' }), []);
      });

      it('listChunks honours a limit and finds nothing for an empty state list or an unknown run', async function () {
        assert.deepEqual(ids(await ledger.listChunks({ runId: 'run-a', limit: 2 })), [
          chunkId('player_game_summary', '2024-01-01', 'production'),
          chunkId('player_game_summary', '2024-01-01', 'test'),
        ]);
        assert.deepEqual(await ledger.listChunks({ runId: 'run-a', states: [] }), []);
        assert.deepEqual(await ledger.listChunks({ runId: 'run-nobody' }), []);
      });

      it("countChunks counts a run's chunks by table and state, in table then state order, without zeros", async function () {
        assert.deepEqual(await ledger.countChunks('run-a'), [
          { table: 'player_game_summary', state: 'pending', count: 2 },
          { table: 'player_game_summary', state: 'queued', count: 2 },
          { table: 'player_game_summary', state: 'succeeded', count: 1 },
          { table: 'team_offense_game_summary', state: 'pending', count: 1 },
          { table: 'team_offense_game_summary', state: 'queued', count: 1 },
        ]);
        assert.deepEqual(await ledger.countChunks('run-b'), [
          { table: 'team_defense_game_summary', state: 'pending', count: 2 },
          { table: 'team_defense_game_summary', state: 'queued', count: 1 },
        ]);
        assert.deepEqual(await ledger.countChunks('run-nobody'), []);
      });

      it('countChunksByTable counts every run\'s chunks in the states asked, per table, without zeros', async function () {
        assert.deepEqual(await ledger.countChunksByTable(['queued', 'running']), {
          player_game_summary: 2, team_offense_game_summary: 1, team_defense_game_summary: 1,
        });
        assert.deepEqual(await ledger.countChunksByTable(['succeeded']), { player_game_summary: 1 });
        assert.deepEqual(await ledger.countChunksByTable(['dead']), {});
        assert.deepEqual(await ledger.countChunksByTable([]), {});
      });

      it('listChunks with leaseExpiredBy finds the chunks whose lease ran out by then, earliest first, none without a lease', async function () {
        const [a, b, c] = [
          chunkId('player_game_summary', '2024-01-02', 'production'),
          chunkId('team_offense_game_summary', '2024-01-02', 'production'),
          chunkId('team_defense_game_summary', '2024-01-01', 'production'),
        ];
        await ledger.transition([
          { id: a, from: ['queued'], to: 'running', patch: { leaseOwner: 'w1', leaseExpiresAt: now + 3_000 } },
          { id: b, from: ['queued'], to: 'running', patch: { leaseOwner: 'w2', leaseExpiresAt: now + 1_000 } },
          { id: c, from: ['queued'], to: 'queued', patch: { leaseExpiresAt: now + 2_000 } },
        ]);
        const inFlight = ['queued', 'running'] as const;
        assert.deepEqual(await ledger.listChunks({ states: inFlight, leaseExpiredBy: now }), []);
        assert.deepEqual(ids(await ledger.listChunks({ states: inFlight, leaseExpiredBy: now + 2_000 })), [b, c]);
        assert.deepEqual(ids(await ledger.listChunks({ states: inFlight, leaseExpiredBy: now + 5_000 })), [b, c, a]);
        assert.deepEqual(ids(await ledger.listChunks({ states: ['running'], leaseExpiredBy: now + 5_000 })), [b, a]);
      });
    });

    describe('transition', function () {
      const first = chunkId('player_game_summary', '2024-01-01', 'production');
      const second = chunkId('player_game_summary', '2024-01-02', 'production');

      beforeEach(async function () {
        await seed('run-a');
      });

      it('applies the new state and the patch, stamps updatedAt, and returns the chunk as it now is', async function () {
        now += 1_000;
        const changed = await ledger.transition([{ id: first, from: ['pending', 'failed'], to: 'queued', patch: { queuedAt: now, leaseExpiresAt: now + 60_000 } }]);
        const stored = await chunk(first);
        assert.deepEqual(changed, [stored]);
        assert.equal(stored.state, 'queued');
        assert.equal(stored.queuedAt, now);
        assert.equal(stored.leaseExpiresAt, now + 60_000);
        assert.equal(stored.updatedAt, now);
        assert.equal(stored.attempts, 0);
      });

      it('keeps an updatedAt the patch carries', async function () {
        await ledger.transition([{ id: first, from: ['pending'], to: 'queued', patch: { updatedAt: 7 } }]);
        assert.equal((await chunk(first)).updatedAt, 7);
      });

      it('changes nothing when the chunk is not in one of the from states', async function () {
        const changed = await ledger.transition([{ id: first, from: ['queued', 'running'], to: 'succeeded', patch: { rowsWritten: 3 } }]);
        assert.deepEqual(changed, []);
        const stored = await chunk(first);
        assert.equal(stored.state, 'pending');
        assert.equal(stored.rowsWritten, null);
      });

      it('lets only the lease holder move a chunk when a leaseOwner is given', async function () {
        await ledger.transition([{ id: first, from: ['pending'], to: 'running', patch: { leaseOwner: 'worker-1', leaseExpiresAt: now + 600_000 } }]);
        assert.deepEqual(await ledger.transition([{ id: first, from: ['running'], to: 'succeeded', leaseOwner: 'worker-2' }]), []);
        assert.equal((await chunk(first)).state, 'running');
        const changed = await ledger.transition([{ id: first, from: ['running'], to: 'succeeded', leaseOwner: 'worker-1', patch: { leaseOwner: null } }]);
        assert.equal(changed[0]?.state, 'succeeded');
        assert.equal(changed[0]?.leaseOwner, null);
      });

      it('takes back a running chunk only once its lease expired at or before the given time', async function () {
        const expiresAt = now + 600_000;
        await ledger.transition([{ id: first, from: ['pending'], to: 'running', patch: { leaseOwner: 'worker-1', leaseExpiresAt: expiresAt } }]);
        const takeBack = (by: number) => ledger.transition([{ id: first, from: ['running'], to: 'failed', leaseExpiredBy: by, patch: { leaseOwner: null, leaseExpiresAt: null } }]);
        assert.deepEqual(await takeBack(expiresAt - 1), []);
        assert.equal((await chunk(first)).leaseOwner, 'worker-1');
        const changed = await takeBack(expiresAt);
        assert.equal(changed[0]?.state, 'failed');
        assert.equal(changed[0]?.leaseOwner, null);
      });

      it('treats a chunk that holds no lease as expired for leaseExpiredBy', async function () {
        await ledger.transition([{ id: first, from: ['pending'], to: 'running' }]);
        const changed = await ledger.transition([{ id: first, from: ['running'], to: 'queued', leaseExpiredBy: now }]);
        assert.equal(changed[0]?.state, 'queued');
      });

      it('ignores transitions of unknown chunks and applies the others', async function () {
        const changed = await ledger.transition([
          { id: 'player_game_summary.1999-01-01.production', from: ['pending'], to: 'queued' },
          { id: second, from: ['pending'], to: 'queued' },
        ]);
        assert.deepEqual(ids(changed), [second]);
        assert.deepEqual(await ledger.transition([]), []);
      });

      it('applies transitions of one chunk in one call in order and returns the chunk once', async function () {
        const lease = { leaseOwner: 'worker-1', leaseExpiresAt: now + 600_000, startedAt: now };
        const changed = await ledger.transition([
          { id: first, from: ['pending'], to: 'queued' },
          { id: second, from: ['pending'], to: 'queued' },
          { id: first, from: ['queued'], to: 'running', patch: lease },
          // The claim pattern of a worker: take over an expired lease, which this fresh one is not.
          { id: first, from: ['running'], to: 'running', patch: { leaseOwner: 'worker-2' }, leaseExpiredBy: now },
        ]);
        assert.deepEqual(ids(changed), [first, second]);
        assert.equal(changed[0]?.state, 'running');
        assert.equal(changed[0]?.leaseOwner, 'worker-1');
        assert.equal((await chunk(first)).leaseOwner, 'worker-1');
      });

      it('leaves fields alone for patch keys that are undefined, and never lets a patch change identity or runs', async function () {
        await ledger.transition([{ id: first, from: ['pending'], to: 'failed', patch: { lastError: 'boom', attempts: 1 } }]);
        const sneaky = { lastError: undefined, attempts: 2, state: 'dead', runIds: [], table: 'team_offense_game_summary', id: 'other' } as unknown as ChunkPatch;
        const [changed] = await ledger.transition([{ id: first, from: ['failed'], to: 'queued', patch: sneaky }]);
        const stored = await chunk(first);
        assert.deepEqual(changed, stored);
        assert.equal(stored.id, first);
        assert.equal(stored.state, 'queued');
        assert.equal(stored.lastError, 'boom');
        assert.equal(stored.attempts, 2);
        assert.equal(stored.table, 'player_game_summary');
        assert.deepEqual(stored.runIds, ['run-a']);
      });

      it('hands out records that cannot change what the ledger holds', async function () {
        const [got] = await ledger.getChunks([first]);
        try {
          (got as { state: string }).state = 'dead';
          (got?.runIds as string[]).push('run-z');
        } catch {
          // Frozen records refuse; copies accept. Either way the ledger must not change.
        }
        const again = await chunk(first);
        assert.equal(again.state, 'pending');
        assert.deepEqual(again.runIds, ['run-a']);
      });

      it('lets exactly one of two callers move a chunk when both try at once', async function () {
        this.timeout(60_000);
        const chunks = testChunks('team_offense_game_summary', '2024-02-01', '2024-02-12');
        await ledger.createRun(testRun('run-race'), chunks);
        const other = harness.peer ? await harness.peer() : ledger;
        const claim = (by: Ledger, owner: string) =>
          by.transition(chunks.map((c) => ({ id: c.id, from: ['pending' as const], to: 'queued' as const, patch: { leaseOwner: owner } })));
        const [mine, theirs] = await Promise.all([claim(ledger, 'reconcile-1'), claim(other, 'reconcile-2')]);
        assert.equal(mine.length + theirs.length, chunks.length, 'every chunk moved exactly once');
        assert.deepEqual(sorted([...ids(mine), ...ids(theirs)]), sorted(ids(chunks)));
        const stored = await ledger.getChunks(ids(chunks));
        for (const c of stored) {
          const winner = ids(mine).includes(c.id) ? 'reconcile-1' : 'reconcile-2';
          assert.equal(c.leaseOwner, winner, `${c.id} belongs to the caller that moved it`);
        }
      });
    });

    describe('service state', function () {
      it('reads nothing for a key never written, then what was written last, nested values and all', async function () {
        assert.equal(await ledger.getState('heal.player_game_summary'), null);
        await ledger.putState('heal.player_game_summary', { at: now, dates: { '2024-01-01': '26:1700000000000' }, list: [1, 2] });
        await ledger.putState('heal.player_game_summary', { at: now + 1, dates: { '2024-01-02': '24:1700000000001' }, list: [] });
        assert.deepEqual(await ledger.getState('heal.player_game_summary'), { at: now + 1, dates: { '2024-01-02': '24:1700000000001' }, list: [] });
        assert.equal(await ledger.getState('heal.team_offense_game_summary'), null, 'keys are apart');
      });

      if (kind.durable) it('keeps state across a close and reopen', async function () {
        assert.ok(harness.reopen !== undefined, 'a durable ledger\'s harness can reopen it');
        await ledger.putState('job-sizes', { team_offense_game_summary: 64 });
        ledger = await harness.reopen();
        assert.deepEqual(await ledger.getState('job-sizes'), { team_offense_game_summary: 64 });
      });

      it('refuses a key that is not one', async function () {
        await assert.rejects(async () => ledger.putState('a/b', {}), /not a state key/);
        await assert.rejects(async () => ledger.getState(''), /not a state key/);
      });
    });

    describe('lifecycle', function () {
      if (kind.durable) it('keeps runs and chunks across a close and reopen', async function () {
        assert.ok(harness.reopen !== undefined, 'a durable ledger\'s harness can reopen it');
        const chunks = testChunks('player_game_summary', '2024-01-01', '2024-01-05');
        await ledger.createRun(testRun('run-a', { chunkCount: 5 }), chunks);
        await ledger.createRun(testRun('run-b', { createdAt: T0 + 1 }), chunks.slice(3));
        await ledger.transition([{ id: ids(chunks)[0] as string, from: ['pending'], to: 'failed', patch: { attempts: 1, lastError: 'boom', nextAttemptAt: now + 30_000 } }]);
        await ledger.updateRun('run-b', ['active'], { state: 'cancelled', outcome: 'cancelled by a test', finishedAt: now });
        const runsBefore = await ledger.listRuns();
        const chunksBefore = await ledger.listChunks({});

        ledger = await harness.reopen();

        assert.deepEqual(await ledger.listRuns(), runsBefore);
        assert.deepEqual(await ledger.listChunks({}), chunksBefore);
        assert.deepEqual((await ledger.createRun(testRun('run-a'), chunks)).chunksAdded, 0);
      });

      it('refuses calls after close', async function () {
        await seed('run-a');
        await ledger.close();
        await assert.rejects(ledger.getRun('run-a'), (error: Error) => /closed/i.test(error.message));
        await assert.rejects(ledger.transition([{ id: 'x', from: ['pending'], to: 'queued' }]), (error: Error) => /closed/i.test(error.message));
      });
    });
  });
}
