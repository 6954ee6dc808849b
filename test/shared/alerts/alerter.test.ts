import assert from 'node:assert/strict';
import sinon from 'sinon';
import { LocalAlertStore } from '../../../adapters/local/local-alert-store.js';
import type { AlertEvent } from '../../../shared/alerts/alert-event.js';
import { createAlerter, NoAlertSinkError, type Alerter, type AfterVerificationOptions } from '../../../shared/alerts/alerter.js';
import { MemoryLogger } from '../../../shared/log/logger.js';
import type { AlertSink } from '../../../shared/ports/alert-sink.js';
import type { Clock } from '../../../shared/ports/clock.js';
import { DAY, HOUR, MINUTE, T0, dateProblem, offensePointsMismatch, reportOf, tableWith } from './alert-fixtures.js';

const SCHEDULED: AfterVerificationOptions = { trigger: 'scheduled', expectComplete: true };
const MANUAL: AfterVerificationOptions = { trigger: 'manual', expectComplete: false };

class RecordingSink implements AlertSink {
  readonly events: AlertEvent[] = [];
  constructor(readonly name: string) {}
  send(event: AlertEvent): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
  get types(): string[] {
    return this.events.map((e) => e.type);
  }
}

describe('createAlerter', () => {
  const sandbox = sinon.createSandbox();
  let now: number;
  const clock: Clock = { now: () => now };
  let store: LocalAlertStore;
  let primary: RecordingSink;
  let webhook: RecordingSink;
  let logger: MemoryLogger;
  let alerter: Alerter;

  const failing = (at = now, end = '2021-11-30') => reportOf([tableWith('team_offense_game_summary', [offensePointsMismatch()])], { at, end });
  const healthy = (at = now, end = '2021-11-30') => reportOf([tableWith('team_offense_game_summary')], { at, end });
  const logged = (event: string) => logger.events.filter((e) => e.fields.event === event);

  beforeEach(async () => {
    now = T0;
    store = await LocalAlertStore.open({ path: ':memory:' });
    primary = new RecordingSink('pubsub');
    webhook = new RecordingSink('webhook');
    logger = new MemoryLogger();
    alerter = createAlerter({ store, sinks: [primary, webhook], clock, logger, repeatAfterMs: DAY });
  });

  afterEach(async () => {
    sandbox.restore();
    await alerter.close();
  });

  it('sends one firing event to every sink and logs one verification_failed ERROR for a new failure', async () => {
    const outcome = await alerter.afterVerification(failing(), SCHEDULED);
    assert.deepEqual(primary.types, ['firing']);
    assert.deepEqual(webhook.types, ['firing']);
    assert.equal(outcome.sent.length, 1);
    const [entry, ...more] = logged('verification_failed');
    assert.equal(more.length, 0);
    assert.ok(entry);
    assert.equal(entry.severity, 'ERROR');
    assert.equal(entry.fields.table, 'team_offense_game_summary');
    assert.equal(entry.fields.kind, 'cross_table_mismatch');
    assert.equal(entry.fields.fingerprint, outcome.summary.problems[0]?.fingerprint);
    assert.equal(entry.fields.severity, undefined, 'the entry keeps its own severity (ERROR) for the log-based policy');
    assert.equal(entry.fields.problemSeverity, 'wrong_data');
  });

  it('sends nothing on the next tick, repeats after the quiet period, and resolves once', async () => {
    await alerter.afterVerification(failing(), SCHEDULED);
    now = T0 + HOUR;
    await alerter.afterVerification(failing(), SCHEDULED);
    assert.deepEqual(primary.types, ['firing']);
    now = T0 + DAY;
    await alerter.afterVerification(failing(), SCHEDULED);
    assert.deepEqual(primary.types, ['firing', 'repeat']);
    assert.equal(logged('verification_failed').length, 2);
    now = T0 + DAY + HOUR;
    await alerter.afterVerification(healthy(), SCHEDULED);
    now = T0 + DAY + 2 * HOUR;
    await alerter.afterVerification(healthy(), SCHEDULED);
    assert.deepEqual(primary.types, ['firing', 'repeat', 'resolved']);
    const resolved = logged('verification_resolved');
    assert.equal(resolved.length, 1);
    assert.equal(resolved[0]?.severity, 'INFO');
  });

  it('dedupes the daily scheduled verification though its end moves every day', async () => {
    await alerter.afterVerification(failing(T0, '2024-06-29'), SCHEDULED);
    now = T0 + HOUR;
    await alerter.afterVerification(failing(now, '2024-06-30'), SCHEDULED);
    assert.deepEqual(primary.types, ['firing']);
    now = T0 + 2 * HOUR;
    await alerter.afterVerification(healthy(now, '2024-07-01'), SCHEDULED);
    assert.deepEqual(primary.types, ['firing', 'resolved']);
  });

  it('keeps the alerts of a range apart from those of another range', async () => {
    await alerter.afterVerification(failing(T0, '2021-11-30'), MANUAL);
    await alerter.afterVerification(healthy(T0 + MINUTE, '2021-11-15'), MANUAL);
    assert.deepEqual(primary.types, ['firing']);
  });

  it('records every verification in the history, with its trigger and run, and when the scope last passed', async () => {
    await alerter.afterVerification(healthy(), { trigger: 'run_finished', runId: 'run-1', expectComplete: true });
    now = T0 + HOUR;
    const outcome = await alerter.afterVerification(failing(), MANUAL);
    const history = await store.listVerifications({ scopeKey: outcome.scopeKey });
    assert.deepEqual(history.map((r) => [r.trigger, r.runId, r.verifiedAt, r.summary.overall.status]), [
      ['manual', null, T0 + HOUR, 'FAILED'],
      ['run_finished', 'run-1', T0, 'COMPLETE'],
    ]);
    const passing = await store.lastPassed(outcome.scopeKey);
    assert.equal(passing?.lastPassedAt, T0);
    assert.equal(passing?.lastVerifiedAt, T0 + HOUR);
  });

  it('logs a failing secondary sink and still marks the alert notified', async () => {
    sandbox.stub(webhook, 'send').rejects(new Error('HTTP 500'));
    const outcome = await alerter.afterVerification(failing(), SCHEDULED);
    assert.equal(outcome.sent.length, 1);
    assert.ok(logger.events.some((e) => e.severity === 'WARNING' && e.fields.sink === 'webhook'));
    now = T0 + HOUR;
    await alerter.afterVerification(failing(), SCHEDULED);
    assert.deepEqual(primary.types, ['firing'], 'not sent again');
  });

  it('leaves the alert unnotified when the primary sink fails, so the next verification fires it, first seen unchanged', async () => {
    const publish = sandbox.stub(primary, 'send').rejects(Object.assign(new Error('unavailable'), { code: 14 }));
    const outcome = await alerter.afterVerification(failing(), SCHEDULED);
    assert.equal(outcome.undelivered.length, 1);
    assert.equal(outcome.sent.length, 0);
    assert.deepEqual(webhook.types, ['firing'], 'the other sinks are tried all the same');
    assert.equal(logged('verification_failed')[0]?.fields.delivered, false);
    publish.restore();
    now = T0 + HOUR;
    const retried = await alerter.afterVerification(failing(), SCHEDULED);
    assert.deepEqual(primary.types, ['firing']);
    assert.equal(retried.sent[0]?.firstSeenAt, new Date(T0).toISOString());
  });

  it('sends one firing when two verifications of the scope finish at once', async () => {
    const [a, b] = await Promise.all([alerter.afterVerification(failing(), SCHEDULED), alerter.afterVerification(failing(T0 + 1), SCHEDULED)]);
    assert.deepEqual(primary.types, ['firing']);
    assert.equal(a.sent.length + b.sent.length, 1);
  });

  it('alerts a gap after a finished run but not after a manual look at the same scope', async () => {
    const gap = () => reportOf([tableWith('player_game_summary', [dateProblem('not_processed')])]);
    await alerter.afterVerification(gap(), MANUAL);
    assert.deepEqual(primary.types, []);
    await alerter.afterVerification(gap(), { trigger: 'run_finished', runId: 'run-1', expectComplete: true });
    assert.deepEqual(primary.types, ['firing']);
  });

  it('still alerts when the history cannot be written, and says so in the log', async () => {
    sandbox.stub(store, 'recordVerification').rejects(new Error('disk full'));
    const outcome = await alerter.afterVerification(failing(), SCHEDULED);
    assert.equal(outcome.recorded, false);
    assert.deepEqual(primary.types, ['firing']);
    assert.ok(logger.events.some((e) => e.severity === 'ERROR' && /not recorded/.test(e.message)));
  });

  it('rejects with the store error when alert states cannot be written, after sending what it could', async () => {
    const error = Object.assign(new Error('aborted'), { code: 10 });
    const put = sandbox.stub(store, 'putAlert');
    put.callThrough();
    // The second write of the alert (marking it notified after the send) fails.
    put.onSecondCall().rejects(error);
    await assert.rejects(alerter.afterVerification(failing(), SCHEDULED), (e) => e === error);
    assert.deepEqual(primary.types, ['firing']);
  });

  it('refuses to be created without a sink', () => {
    assert.throws(() => createAlerter({ store, sinks: [], clock, logger, repeatAfterMs: DAY }), NoAlertSinkError);
  });
});
