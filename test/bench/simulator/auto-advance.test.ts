import assert from 'node:assert/strict';
import { setTimeout as sleepReal } from 'node:timers/promises';
import { autoAdvance, RealWork, type AutoAdvance } from '../../../bench/simulator/auto-advance.js';
import { settle, VirtualClock } from '../../../bench/simulator/sim-clock.js';

describe('auto-advancing modelled time', function () {
  let clock: VirtualClock;
  let work: RealWork;
  let auto: AutoAdvance | undefined;

  beforeEach(function () {
    clock = new VirtualClock(0);
    work = new RealWork();
  });

  afterEach(async function () {
    await auto?.stop();
    auto = undefined;
  });

  it('jumps from deadline to deadline when nothing real is under way', async function () {
    auto = autoAdvance(clock, work);
    const started = performance.now();
    await clock.sleep(3_600_000);
    const at = clock.now();
    await clock.sleep(1_000);
    assert.equal(at, 3_600_000);
    assert.equal(clock.now(), 3_601_000);
    assert.ok(performance.now() - started < 2_000, 'a modelled hour costs no real hour');
    assert.equal(auto.steps, 2);
  });

  it('stands still while real work is under way, so real work costs no modelled time', async function () {
    auto = autoAdvance(clock, work);
    const events: string[] = [];
    void clock.sleep(10).then(() => events.push(`timer@${clock.now()}`));
    await work.track(async () => {
      await sleepReal(50);
      events.push(`real work done@${clock.now()}`);
    });
    await clock.sleep(20);
    assert.deepEqual(events, ['real work done@0', 'timer@10']);
  });

  it('waits for an expected delivery, and gives up on it after the stall time (counted)', async function () {
    auto = autoAdvance(clock, work, { deliveryStallMs: 1_000 });
    work.expect(1);
    let woke = false;
    void clock.sleep(1_000).then(() => (woke = true));
    await settle(10);
    assert.equal(woke, false, 'a message on its way holds time');
    assert.equal(clock.now(), 0);
    await clock.sleep(2_000);
    assert.equal(woke, true);
    assert.equal(auto.stalls, 1);
    assert.equal(work.deliveriesAwaited, 0);
  });

  it('moves on as soon as the expected delivery arrives', async function () {
    auto = autoAdvance(clock, work, { deliveryStallMs: 60_000 });
    work.expect(2);
    setTimeout(() => work.arrived(2), 20);
    await clock.sleep(1_000);
    assert.equal(auto.stalls, 0);
  });
});
