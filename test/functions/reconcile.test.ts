import assert from 'node:assert/strict';
import type { CloudEvent } from '@google-cloud/functions-framework';
import sinon from 'sinon';
import type { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { LocalLedger } from '../../adapters/local/local-ledger.js';
import type { Alerter } from '../../shared/alerts/alerter.js';
import { SCHEDULER_MESSAGES } from '../../functions/manifest.js';
import { reconcile } from '../../functions/reconcile.js';
import { createService, setService, type Service } from '../../functions/service.js';
import { loadConfig } from '../../shared/config/config.js';
import { MemoryLogger } from '../../shared/log/logger.js';
import type { Clock } from '../../shared/ports/clock.js';
import { RecordingQueue } from '../support/recording-queue.js';
import { openFixtureWarehouse } from '../support/duckdb-fixtures.js';

/**
 * The reconcile function's routing of the Scheduler's messages (functions/manifest.ts
 * SCHEDULER_MESSAGES): `reconcile` drives runs and never heals, `heal` compares coverage and starts
 * a run for the gaps, `verify` verifies; a `reconcile` or `heal` tick older than
 * MAX_EVENT_AGE_SECONDS is dropped with a log line. Wired as deployed (createService) on the
 * real-data fixture slices in DuckDB and an in-memory ledger.
 */

const NOW = Date.parse('2024-06-01T12:00:00Z');
const TABLE = 'team_offense_game_summary';
/** A fixture slice with scheduled games and, in this warehouse, no analytics rows: every date is a gap. */
const TARGET = { start: '2018-04-14', end: '2018-04-20' };

function event(data: unknown, publishTime: number = NOW): CloudEvent<unknown> {
  const message = { data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64'), messageId: 'm-1', publishTime: new Date(publishTime).toISOString() };
  return { id: 'e-1', source: 'test', specversion: '1.0', type: 'google.cloud.pubsub.topic.v1.messagePublished', data: { message } };
}

describe('reconcile function: scheduler messages', function () {
  this.timeout(60_000);
  const sandbox = sinon.createSandbox();
  let warehouse: DuckDbWarehouse;
  let ledger: LocalLedger;
  let logger: MemoryLogger;
  let queue: RecordingQueue;
  let afterVerification: sinon.SinonStub;
  let service: Service;

  before(async () => {
    warehouse = await openFixtureWarehouse();
  });

  after(async () => {
    await warehouse.close();
  });

  beforeEach(async () => {
    ledger = await LocalLedger.open({ path: ':memory:' });
    logger = new MemoryLogger();
    queue = new RecordingQueue({ publish: () => Promise.resolve(), close: () => Promise.resolve() });
    afterVerification = sandbox.stub().resolves({ events: [], notified: 0 });
    const alerter = { afterVerification, history: { list: () => Promise.resolve([]) }, close: () => Promise.resolve() } as unknown as Alerter;
    const clock: Clock = { now: () => NOW };
    const config = loadConfig({
      WAREHOUSE: 'duckdb', LEDGER: 'local', COVERAGE_START: '', COVERAGE_TARGETS: JSON.stringify({ [TABLE]: TARGET }), MAX_EVENT_AGE_SECONDS: '600',
    });
    service = await createService(config, { warehouse, ledger, queue, alerter, logger, clock, reconcileTrigger: { requestReconcile: () => Promise.resolve() }, instanceId: 'test' });
    setService(service);
  });

  afterEach(async () => {
    sandbox.restore();
    setService(null);
    await ledger.close();
  });

  const messagesOf = (text: string) => logger.events.filter((e) => e.message === text);

  it('accepts exactly the kinds of SCHEDULER_MESSAGES', () => {
    assert.deepEqual(Object.keys(SCHEDULER_MESSAGES).sort(), ['heal', 'reconcile', 'verify']);
    for (const [kind, message] of Object.entries(SCHEDULER_MESSAGES)) assert.equal(message.kind, kind);
  });

  it('drives runs on a reconcile tick and heals nothing, even with coverage gaps', async () => {
    await reconcile(event(SCHEDULER_MESSAGES.reconcile));
    assert.equal(messagesOf('reconcile done').length, 1);
    assert.equal(messagesOf('heal done').length, 0);
    assert.deepEqual(await ledger.listRuns({ limit: 10 }), []);
    assert.equal(queue.published.length, 0);
  });

  it('treats an empty message as a reconcile tick (what the API publishes when it starts a run)', async () => {
    await reconcile(event(''));
    assert.equal(messagesOf('reconcile done').length, 1);
    assert.deepEqual(await ledger.listRuns({ limit: 10 }), []);
  });

  it('starts a heal run for the gaps on a heal tick and publishes its chunks at once', async () => {
    await reconcile(event(SCHEDULER_MESSAGES.heal));
    const runs = await ledger.listRuns({ limit: 10 });
    assert.equal(runs.length, 1);
    assert.match(runs[0]?.id ?? '', /^heal-/);
    assert.deepEqual(runs[0]?.request.tables, [TABLE]);
    const [done] = messagesOf('heal done');
    assert.equal(done?.fields.healRun, runs[0]?.id);
    assert.ok(Number(done?.fields.coverageGaps) > 0, JSON.stringify(done?.fields));
    assert.ok(queue.published.length > 0, 'the heal run\'s chunks went out in the same tick');
    assert.ok(queue.published.every((m) => m.table === TABLE));
    assert.equal(messagesOf('reconcile done').length, 0);
  });

  it('says coverage healing is off on a heal tick without coverage targets', async () => {
    setService(await createService(loadConfig({ WAREHOUSE: 'duckdb', LEDGER: 'local', COVERAGE_START: '' }), { ...service }));
    await reconcile(event(SCHEDULER_MESSAGES.heal));
    assert.equal(messagesOf('heal skipped: coverage healing is off (COVERAGE_START empty, no COVERAGE_TARGETS)').length, 1);
    assert.deepEqual(await ledger.listRuns({ limit: 10 }), []);
  });

  it('runs the verification on a verify tick', async () => {
    await reconcile(event(SCHEDULER_MESSAGES.verify));
    assert.equal(afterVerification.callCount, 1);
    assert.equal(messagesOf('scheduled verification').length, 1);
  });

  for (const kind of ['reconcile', 'heal'] as const) {
    it(`drops a ${kind} tick older than MAX_EVENT_AGE_SECONDS with a log line, and runs one just under it`, async () => {
      await reconcile(event(SCHEDULER_MESSAGES[kind], NOW - 601_000));
      const [dropped] = logger.events.filter((e) => e.severity === 'WARNING' && /^dropping a .* tick older than MAX_EVENT_AGE_SECONDS/.test(e.message));
      assert.ok(dropped, 'a warning says the tick was dropped');
      assert.deepEqual({ kind: dropped.fields.kind, ageSeconds: dropped.fields.ageSeconds, maxAgeSeconds: dropped.fields.maxAgeSeconds }, { kind, ageSeconds: 601, maxAgeSeconds: 600 });
      assert.equal(messagesOf(`${kind} done`).length, 0);
      assert.deepEqual(await ledger.listRuns({ limit: 10 }), []);

      await reconcile(event(SCHEDULER_MESSAGES[kind], NOW - 599_000));
      assert.equal(messagesOf(`${kind} done`).length, 1);
    });
  }

  it('still runs a late verify tick: the next one is a day away', async () => {
    await reconcile(event(SCHEDULER_MESSAGES.verify, NOW - 7_200_000));
    assert.equal(afterVerification.callCount, 1);
  });

  it('acknowledges an unknown kind with an error log and does nothing', async () => {
    await reconcile(event({ kind: 'heel' }));
    assert.equal(messagesOf('unknown scheduler message; acknowledged').length, 1);
    assert.deepEqual(await ledger.listRuns({ limit: 10 }), []);
  });
});
