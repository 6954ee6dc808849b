import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import sinon from 'sinon';
import type { Alerter } from '../../shared/alerts/alerter.js';
import { createAlerter } from '../../functions/alerting.js';
import { PubSubAlertSink } from '../../adapters/pubsub/pubsub-alert-sink.js';
import { WebhookAlertSink } from '../../adapters/webhook/webhook-alert-sink.js';
import { loadConfig } from '../../shared/config/config.js';
import { MemoryLogger } from '../../shared/log/logger.js';
import { T0, offensePointsMismatch, reportOf, tableWith } from '../shared/alerts/alert-fixtures.js';

describe('createAlerter (functions wiring)', () => {
  const sandbox = sinon.createSandbox();
  let dir: string;
  let pubsub: PubSub;
  let alerter: Alerter | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alerting-'));
    pubsub = new PubSub({ projectId: 'demo-backfill' });
  });

  afterEach(async () => {
    sandbox.restore();
    await alerter?.close();
    alerter = undefined;
    await pubsub.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function wire(env: Record<string, string>, publishError?: Error) {
    const publish = sandbox.stub(PubSubAlertSink.prototype, 'send');
    if (publishError) publish.rejects(publishError);
    else publish.resolves();
    const post = sandbox.stub(WebhookAlertSink.prototype, 'send').resolves();
    const logger = new MemoryLogger();
    const config = loadConfig({ LEDGER: 'local', BACKFILL_DATA_DIR: dir, ...env });
    alerter = await createAlerter({ config, pubsub, logger, clock: { now: () => T0 } });
    const report = reportOf([tableWith('team_offense_game_summary', [offensePointsMismatch()])]);
    const outcome = await alerter.afterVerification(report, { trigger: 'manual', expectComplete: false });
    return { publish, post, outcome, logger };
  }

  it('sends to the alerts topic only, when no webhook is configured, and keeps state in <dataDir>/alerts.duckdb', async () => {
    const { publish, post, outcome } = await wire({});
    assert.equal(publish.callCount, 1);
    assert.equal(post.callCount, 0);
    assert.equal(outcome.sent.length, 1);
    assert.ok(existsSync(join(dir, 'alerts.duckdb')));
  });

  it('sends to the webhook too when ALERT_WEBHOOK_URL is set', async () => {
    const { publish, post } = await wire({ ALERT_WEBHOOK_URL: 'https://hooks.example.com/services/x' });
    assert.equal(publish.callCount, 1);
    assert.equal(post.callCount, 1);
    assert.equal(post.firstCall.args[0].type, 'firing');
  });

  it('makes the topic the primary sink: a refused publish leaves the event undelivered, whatever the webhook did', async () => {
    const { outcome, post } = await wire({ ALERT_WEBHOOK_URL: 'https://hooks.example.com/services/x' }, new Error('unavailable'));
    assert.equal(post.callCount, 1);
    assert.equal(outcome.sent.length, 0);
    assert.equal(outcome.undelivered.length, 1);
  });

  it('takes ALERT_REPEAT_AFTER_MS from config', async () => {
    const publish = sandbox.stub(PubSubAlertSink.prototype, 'send').resolves();
    let now = T0;
    const config = loadConfig({ LEDGER: 'local', BACKFILL_DATA_DIR: dir, ALERT_REPEAT_AFTER_MS: '60000' });
    alerter = await createAlerter({ config, pubsub, logger: new MemoryLogger(), clock: { now: () => now } });
    const report = () => reportOf([tableWith('team_offense_game_summary', [offensePointsMismatch()])], { at: now });
    await alerter.afterVerification(report(), { trigger: 'manual', expectComplete: false });
    now = T0 + 59_999;
    await alerter.afterVerification(report(), { trigger: 'manual', expectComplete: false });
    now = T0 + 60_000;
    await alerter.afterVerification(report(), { trigger: 'manual', expectComplete: false });
    assert.deepEqual(publish.getCalls().map((c) => c.args[0].type), ['firing', 'repeat']);
  });
});
