import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import type { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { FirestoreAlertStore } from '../../adapters/firestore/firestore-alert-store.js';
import type { Alerter } from '../../shared/alerts/alerter.js';
import { createAlerter } from '../../functions/alerting.js';
import { loadConfig } from '../../shared/config/config.js';
import { MemoryLogger } from '../../shared/log/logger.js';
import { verify } from '../../shared/verify/verify.js';
import { parseVerificationScope } from '../../shared/verify/verification-scope.js';
import { firestoreClient, pubSubClient, startFirestoreEmulator, startPubSubEmulator, type Emulator } from '../../dev/emulators.js';
import { openFixtureWarehouse, writeTable } from '../shared/verify/fixture-warehouse.js';
import { AlertSubscription } from '../adapters/alerts/alert-subscription.js';

const TABLE = 'team_offense_game_summary';
const RANGE = { start: '2021-11-01', end: '2021-11-07' } as const;
const T0 = Date.parse('2024-07-01T06:00:00Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The alerting path as the reconcile function runs it, on real engines: the transforms write the
 * fixture games into DuckDB, verify() reads them, the functions' alerter (from config, LEDGER=firestore)
 * keeps its state in the Firestore emulator and publishes to a topic of the Pub/Sub emulator, and
 * the test pulls a subscription of that topic to count what a subscriber would get.
 */
describe('alerting end to end: verification, Firestore state, Pub/Sub alerts topic', function () {
  this.timeout(180_000);
  let firestoreEmulator: Emulator;
  let pubsubEmulator: Emulator;
  let firestore: Firestore;
  let pubsub: PubSub;
  let warehouse: DuckDbWarehouse;
  let subscription: AlertSubscription;
  let alerter: Alerter;
  let logger: MemoryLogger;
  let now: number;
  const prefix = `e2e${randomUUID().slice(0, 8)}_`;
  const topic = `backfill-alerts-${randomUUID().slice(0, 8)}`;

  before(async function () {
    [firestoreEmulator, pubsubEmulator] = await Promise.all([startFirestoreEmulator(), startPubSubEmulator()]);
    firestore = firestoreClient(firestoreEmulator);
    pubsub = pubSubClient(pubsubEmulator);
    await pubsub.createTopic(topic);
    subscription = await AlertSubscription.create(pubsubEmulator, topic, `${topic}-inbox`);
    warehouse = await openFixtureWarehouse();
    await writeTable(warehouse, TABLE, RANGE);
    const config = loadConfig({
      LEDGER: 'firestore',
      GOOGLE_CLOUD_PROJECT: firestoreEmulator.projectId,
      FIRESTORE_COLLECTION_PREFIX: prefix,
      ALERTS_TOPIC: topic,
      ALERT_REPEAT_AFTER_MS: String(DAY),
    });
    logger = new MemoryLogger();
    alerter = await createAlerter({ config, pubsub, firestore, logger, clock: { now: () => now } });
  });

  after(async function () {
    await alerter?.close();
    await warehouse?.close();
    await subscription?.delete().catch(() => undefined);
    await pubsub?.close();
    await firestore?.terminate();
    await Promise.all([firestoreEmulator?.stop(), pubsubEmulator?.stop()]);
  });

  async function verifyAndAlert(at: number) {
    now = at;
    const report = await verify({ warehouse, scope: parseVerificationScope({ tables: [TABLE], ...RANGE, mode: 'production' }), now });
    const outcome = await alerter.afterVerification(report, { trigger: 'run_finished', runId: 'run-e2e', expectComplete: true });
    return { report, outcome };
  }

  /** Adds `delta` to the points of one team in one game: the schedule's final score no longer agrees. */
  async function shiftPoints(game: { game_id: string; team_abbr: string }, delta: number): Promise<void> {
    const target = warehouse.context('production').analytics(TABLE);
    await warehouse.run(`UPDATE ${target} SET points_scored = points_scored + $delta WHERE game_id = $game_id AND team_abbr = $team_abbr`, {
      delta, game_id: game.game_id, team_abbr: game.team_abbr,
    });
  }

  it('fires one alert for a corrupted row, sends nothing on the next tick, one resolved after the fix, and keeps the history', async function () {
    const clean = await verifyAndAlert(T0);
    assert.equal(clean.report.overall.status, 'COMPLETE', clean.report.tables[0]?.statusReason);
    assert.deepEqual(await subscription.drain(), [], 'a clean verification publishes nothing');

    const [game] = await warehouse.run<{ game_id: string; team_abbr: string }>(
      `SELECT game_id, team_abbr FROM ${warehouse.context('production').analytics(TABLE)} WHERE game_date = DATE '2021-11-03' ORDER BY game_id, team_abbr LIMIT 1`,
    );
    assert.ok(game, 'the fixture has a game on 2021-11-03');
    await shiftPoints(game, 7);

    const broken = await verifyAndAlert(T0 + 10 * MINUTE);
    assert.equal(broken.report.overall.status, 'FAILED');
    const [problem, ...others] = broken.outcome.summary.problems;
    assert.equal(others.length, 0);
    assert.ok(problem);
    assert.deepEqual([problem.kind, problem.subject], ['cross_table_mismatch', 'offense_points_match_schedule']);
    const fired = await subscription.drain();
    assert.equal(fired.length, 1, 'exactly one alert message');
    const [alert] = fired;
    assert.deepEqual(alert?.attributes, { type: 'firing', table: TABLE, fingerprint: problem.fingerprint, mode: 'production' });
    assert.equal(alert?.event.runId, 'run-e2e');
    assert.match(alert?.event.reportExcerpt ?? '', new RegExp(`${game.game_id}/${game.team_abbr}`));
    const failedLogs = logger.events.filter((e) => e.fields.event === 'verification_failed');
    assert.deepEqual(failedLogs.map((e) => [e.severity, e.fields.table, e.fields.fingerprint]), [['ERROR', TABLE, problem.fingerprint]]);

    await verifyAndAlert(T0 + 20 * MINUTE);
    assert.deepEqual(await subscription.drain(), [], 'the next tick sends nothing');

    await shiftPoints(game, -7);
    const fixed = await verifyAndAlert(T0 + 30 * MINUTE);
    assert.equal(fixed.report.overall.status, 'COMPLETE');
    const resolved = await subscription.drain();
    assert.deepEqual(resolved.map((m) => [m.event.type, m.event.fingerprint, m.event.firstSeenAt]), [
      ['resolved', problem.fingerprint, new Date(T0 + 10 * MINUTE).toISOString()],
    ]);

    await verifyAndAlert(T0 + 40 * MINUTE);
    assert.deepEqual(await subscription.drain(), [], 'resolved once');

    // What Firestore kept: every verification of the scope, when it last passed, the alert resolved.
    const store = new FirestoreAlertStore({ firestore, collectionPrefix: prefix });
    const scopeKey = `production:${RANGE.start}..${RANGE.end}`;
    const history = await store.listVerifications({ scopeKey });
    assert.deepEqual(history.map((r) => [r.verifiedAt - T0, r.summary.overall.status]), [
      [40 * MINUTE, 'COMPLETE'], [30 * MINUTE, 'COMPLETE'], [20 * MINUTE, 'FAILED'], [10 * MINUTE, 'FAILED'], [0, 'COMPLETE'],
    ]);
    const passing = await store.lastPassed(scopeKey);
    assert.equal(passing?.lastPassedAt, T0 + 40 * MINUTE);
    assert.equal(passing?.tables[TABLE]?.lastPassedAt, T0 + 40 * MINUTE);
    const stored = await store.listAlerts(scopeKey, { statuses: ['open', 'resolved'] });
    assert.deepEqual(stored.map((a) => [a.fingerprint, a.status, a.lastEvent, a.claim]), [[problem.fingerprint, 'resolved', 'resolved', null]]);
  });
});
