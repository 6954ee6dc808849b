import assert from 'node:assert/strict';
import { ScaledClock, settle, VirtualClock } from '../../../bench/simulator/sim-clock.js';

describe('modelled clocks', function () {
  describe('VirtualClock', function () {
    it('stands still until moved, then fires sleeps in deadline order (equal deadlines in the order set)', async function () {
      const clock = new VirtualClock(1_000);
      const fired: string[] = [];
      const sleep = (ms: number, name: string) => void clock.sleep(ms).then(() => fired.push(`${name}@${clock.now()}`));
      sleep(300, 'c');
      sleep(100, 'a');
      sleep(300, 'd');
      sleep(200, 'b');
      await settle();
      assert.deepEqual(fired, []);
      assert.equal(clock.now(), 1_000);
      assert.equal(clock.pendingTimers, 4);
      assert.equal(clock.nextDeadline, 1_100);

      await clock.advance(250);
      assert.deepEqual(fired, ['a@1100', 'b@1200']);
      assert.equal(clock.now(), 1_250);
      await clock.advance(1_000);
      assert.deepEqual(fired, ['a@1100', 'b@1200', 'c@1300', 'd@1300']);
      assert.equal(clock.now(), 2_250);
    });

    it('lets what a timer wakes set new timers that fire within the same advance', async function () {
      const clock = new VirtualClock(0);
      const at: number[] = [];
      void (async () => {
        for (let i = 0; i < 3; i += 1) {
          await clock.sleep(1_000);
          at.push(clock.now());
        }
      })();
      await clock.advance(5_000);
      assert.deepEqual(at, [1_000, 2_000, 3_000]);
    });

    it('keeps time in whole milliseconds, as Date.now() does (a fractional sleep rounds up)', async function () {
      const clock = new VirtualClock(0);
      let woke = -1;
      void clock.sleep(1.2).then(() => (woke = clock.now()));
      await clock.advance(1);
      assert.equal(woke, -1);
      await clock.advance(1);
      assert.equal(woke, 2);
      assert.ok(Number.isInteger(clock.now()));
    });

    it('fires the next deadline on demand and says when nothing sleeps', async function () {
      const clock = new VirtualClock(0);
      assert.equal(clock.fireNext(), false);
      let set = false;
      void clock.whenTimerSet().then(() => (set = true));
      let woke = false;
      void clock.sleep(60_000).then(() => (woke = true));
      await settle();
      assert.equal(set, true);
      assert.equal(clock.fireNext(), true);
      await settle();
      assert.equal(woke, true);
      assert.equal(clock.now(), 60_000);
    });
  });

  describe('ScaledClock', function () {
    it('refuses a scale that is not positive', function () {
      assert.throws(() => new ScaledClock({ realMsPerModelledSecond: 0 }), RangeError);
    });

    it('runs modelled seconds in scaled-down real time: a modelled minute at 2 ms per second', async function () {
      const clock = new ScaledClock({ realMsPerModelledSecond: 2, startMs: 5_000 });
      const realStart = performance.now();
      await clock.sleep(60_000);
      const realMs = performance.now() - realStart;
      assert.ok(clock.now() >= 65_000, `at least a modelled minute passed (${clock.now()})`);
      assert.ok(realMs >= 100, `a modelled minute takes 120 real ms, not less (${realMs.toFixed(0)} ms)`);
      // Generous: only a machine stalled for seconds would take this long for 120 ms.
      assert.ok(realMs < 5_000, `and far less than a real minute (${realMs.toFixed(0)} ms)`);
    });
  });
});
