import assert from 'node:assert/strict';
import { NUDGE_MIN_INTERVAL_MS, rateLimitedNudge } from '../../../shared/reconcile/nudge.js';
import { MemoryLogger } from '../../../shared/log/logger.js';

describe('nudging reconcile when a job finished', () => {
  it('asks for a tick at most once per interval, leading edge', async () => {
    let now = 10_000;
    let asked = 0;
    const nudge = rateLimitedNudge({ requestReconcile: () => { asked += 1; return Promise.resolve(); } }, { now: () => now }, new MemoryLogger());
    await nudge();
    await nudge();
    now += NUDGE_MIN_INTERVAL_MS - 1;
    await nudge();
    assert.equal(asked, 1);
    now += 1;
    await nudge();
    assert.equal(asked, 2);
  });

  it('logs a trigger that fails and lets the job go on', async () => {
    const logger = new MemoryLogger();
    const nudge = rateLimitedNudge({ requestReconcile: () => Promise.reject(new Error('pubsub down')) }, { now: () => 0 }, logger);
    await nudge();
    assert.ok(logger.events.some((e) => /could not nudge reconcile/.test(e.message) && String(e.fields.error).includes('pubsub down')));
  });
});
