import assert from 'node:assert/strict';
import { LocalLedger } from '../../../adapters/local/local-ledger.js';
import type { ChunkMessage } from '../../../shared/chunks/chunk-message.js';
import { silentLogger } from '../../../shared/log/logger.js';
import { chunkId } from '../../../shared/planning/ids.js';
import type { Clock } from '../../../shared/ports/clock.js';
import type { ChunkQueue } from '../../../shared/ports/queue.js';
import type { ReconcileLimits } from '../../../shared/reconcile/plan-reconcile.js';
import { reconcileRuns } from '../../../shared/reconcile/reconcile.js';
import { cancelRun } from '../../../shared/runner/cancel-run.js';
import { retryRun } from '../../../shared/runner/start-run.js';
import { runRecord } from '../../support/records.js';

const limits: ReconcileLimits = { maxInFlight: 1, maxInFlightPerTable: 1, maxAttempts: 3, datesPerJob: 1, maxDatesPerJob: 1, queuedStallMs: 60_000 };
const OFFENSE = 'team_offense_game_summary';
const DEFENSE = 'team_defense_game_summary';
const newChunk = (table: typeof OFFENSE | typeof DEFENSE, gameDate: string) => ({ id: chunkId(table, gameDate, 'production'), table, gameDate, mode: 'production' as const });

describe('reconcile ticks over the ledger', () => {
  let now: number;
  const clock: Clock = { now: () => now };
  let ledger: LocalLedger;
  let published: ChunkMessage[];
  const queue: ChunkQueue = { publish: (m) => { published.push(...m); return Promise.resolve(); }, close: () => Promise.resolve() };
  const deps = () => ({ ledger, queue, clock, logger: silentLogger });

  beforeEach(async () => {
    now = 1_000_000;
    published = [];
    ledger = await LocalLedger.open({ path: ':memory:', clock });
  });
  afterEach(async () => ledger.close());

  /** Run A's chunk was claimed by a worker that then died, and A was cancelled meanwhile. */
  async function orphanOfCancelledRun(): Promise<string> {
    const orphan = newChunk(OFFENSE, '2021-11-01');
    await ledger.createRun(runRecord({ id: 'run-a', chunkCount: 1 }), [orphan]);
    const claimed = await ledger.transition([{ id: orphan.id, from: ['pending'], to: 'running', patch: { leaseOwner: 'dead-worker', leaseExpiresAt: now + 1000 } }]);
    assert.equal(claimed.length, 1);
    assert.ok(await cancelRun({ ledger, clock }, 'run-a', 'cancelled by a test'));
    return orphan.id;
  }

  it('gives the place under the caps held by a dead worker of a cancelled run back once its lease runs out', async () => {
    const orphan = await orphanOfCancelledRun();
    await ledger.createRun(runRecord({ id: 'run-b', chunkCount: 1 }), [newChunk(DEFENSE, '2021-11-02')]);

    await reconcileRuns(deps(), limits);
    assert.equal(published.length, 0, 'the orphan still holds the only place while its lease lasts');
    assert.equal((await ledger.getChunks([orphan]))[0]?.state, 'running');

    now += 1001;
    await reconcileRuns(deps(), limits);
    assert.deepEqual(published.map((m) => [m.runId, m.table, m.dates]), [['run-b', DEFENSE, ['2021-11-02']]]);
    const [released] = await ledger.getChunks([orphan]);
    assert.deepEqual([released?.state, released?.attempts, released?.leaseOwner], ['pending', 0, null], 'put back without spending an attempt');
  });

  it('leaves an expired chunk an active run owns to that run\'s own repair, which spends an attempt', async () => {
    const stuck = newChunk(OFFENSE, '2021-11-01');
    await ledger.createRun(runRecord({ id: 'run-a', chunkCount: 1 }), [stuck]);
    await ledger.transition([{ id: stuck.id, from: ['pending'], to: 'running', patch: { leaseOwner: 'dead-worker', leaseExpiresAt: now - 1 } }]);
    await reconcileRuns(deps(), limits);
    const [after] = await ledger.getChunks([stuck.id]);
    assert.deepEqual([after?.state, after?.attempts, after?.lastError], ['failed', 1, 'lease expired (held by dead-worker)']);
    await reconcileRuns(deps(), limits);
    assert.deepEqual(published.map((m) => [m.runId, m.dates]), [['run-a', ['2021-11-01']]], 'retried on the next tick');
  });

  it('resumes a cancelled run on retry, publishing its chunks again', async () => {
    const orphan = await orphanOfCancelledRun();
    now += 1001;
    const { run } = await retryRun({ ledger, clock }, 'run-a');
    assert.equal(run?.state, 'active');
    await reconcileRuns(deps(), limits);
    await reconcileRuns(deps(), limits);
    assert.deepEqual(published.map((m) => m.dates), [['2021-11-01']]);
    assert.equal((await ledger.getChunks([orphan]))[0]?.state, 'queued');
  });
  it('records a run as ended only when counting its chunks finds none unfinished, whatever a late listing showed', async () => {
    const chunk = newChunk(OFFENSE, '2021-11-01');
    await ledger.createRun(runRecord({ id: 'run-a', chunkCount: 1 }), [chunk]);
    // A listing that has not yet seen the chunk sent back to work (a copy that lags): it shows it succeeded.
    const lagging = new Proxy(ledger, {
      get(target, key, receiver) {
        if (key === 'listChunks') {
          return async (query: Parameters<LocalLedger['listChunks']>[0]) => (await target.listChunks({ ...query, states: undefined }))
            .map((c) => ({ ...c, state: 'succeeded' as const }))
            .filter((c) => !query.states || query.states.includes(c.state));
        }
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const [tick] = await reconcileRuns({ ...deps(), ledger: lagging }, limits);
    assert.equal(tick?.finished, null);
    assert.equal((await ledger.getRun('run-a'))?.state, 'active', 'the run goes on: its chunk is pending');

    await ledger.transition([{ id: chunk.id, from: ['pending'], to: 'succeeded', patch: { rowsWritten: 1, rowsFound: 1 } }]);
    const [ended] = await reconcileRuns({ ...deps(), ledger: lagging }, limits);
    assert.equal(ended?.finished, 'succeeded');
  });
});
