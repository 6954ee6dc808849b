import assert from 'node:assert/strict';
import { NUDGE_MIN_INTERVAL_MS, rateLimitedNudge } from '../../../shared/reconcile/nudge.js';
import { MemoryLogger } from '../../../shared/log/logger.js';

describe('nudging reconcile when a job finished', () => {
  it('asks for a tick at once, then at most once per interval: one trailing nudge covers the jobs finished inside it', async () => {
    let now = 10_000;
    let asked = 0;
    const slept: number[] = [];
    const sleep = (ms: number) => { slept.push(ms); now += ms; return Promise.resolve(); };
    const nudge = rateLimitedNudge({ requestReconcile: () => { asked += 1; return Promise.resolve(); } }, { now: () => now }, new MemoryLogger(), NUDGE_MIN_INTERVAL_MS, sleep);
    await nudge();
    assert.deepEqual([asked, slept], [1, []], 'the first is sent at once');
    now += 300;
    await nudge();
    assert.deepEqual([asked, slept], [2, [NUDGE_MIN_INTERVAL_MS - 300]], 'one inside the interval is not dropped: sent at its end');
    now += NUDGE_MIN_INTERVAL_MS;
    await nudge();
    assert.deepEqual([asked, slept.length], [3, 1], 'past the interval: at once again');
  });

  it('shares one trailing nudge among the jobs that finish while it waits', async () => {
    let now = 0;
    let asked = 0;
    let wake: () => void = () => undefined;
    const sleep = () => new Promise<void>((resolve) => { wake = resolve; });
    const nudge = rateLimitedNudge({ requestReconcile: () => { asked += 1; return Promise.resolve(); } }, { now: () => now }, new MemoryLogger(), NUDGE_MIN_INTERVAL_MS, sleep);
    await nudge();
    now = 100;
    const waiting = [nudge(), nudge(), nudge()];
    assert.equal(asked, 1);
    now = NUDGE_MIN_INTERVAL_MS;
    wake();
    await Promise.all(waiting);
    assert.equal(asked, 2, 'three jobs inside the interval: one nudge at its end');
  });

  it('logs a trigger that fails and lets the job go on', async () => {
    const logger = new MemoryLogger();
    const nudge = rateLimitedNudge({ requestReconcile: () => Promise.reject(new Error('pubsub down')) }, { now: () => 0 }, logger);
    await nudge();
    assert.ok(logger.events.some((e) => /could not nudge reconcile/.test(e.message) && String(e.fields.error).includes('pubsub down')));
  });
});
