import assert from 'node:assert/strict';
import { SlidingWindow } from '../../../bench/simulator/sliding-window.js';

describe('sliding window', function () {
  it('sums what was recorded in (now - window, now]: an amount counts until exactly window ms later', function () {
    const w = new SlidingWindow(10_000);
    w.record(0, 20);
    w.record(4_000, 30);
    assert.equal(w.total(4_000), 50);
    assert.equal(w.total(9_999), 50);
    assert.equal(w.total(10_000), 30, 'the amount at 0 s left at 10 s');
    assert.equal(w.total(13_999), 30);
    assert.equal(w.total(14_000), 0);
  });

  it('stays exact over many events (the consumed head is dropped now and then)', function () {
    const w = new SlidingWindow(1_000);
    let expected = 0;
    for (let t = 0; t < 5_000; t += 1) {
      w.record(t, 1);
      expected = Math.min(t + 1, 1_000);
      if (t % 997 === 0) assert.equal(w.total(t), expected);
    }
    assert.equal(w.total(4_999), 1_000);
    assert.equal(w.total(5_500), 499);
  });
});
