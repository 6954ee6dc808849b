import assert from 'node:assert/strict';
import { apportion, at } from '../../sample/arrays.js';

describe('apportion', () => {
  it('splits a total into parts proportional to the weights that add up to it', () => {
    assert.deepEqual(apportion(10, [1, 1, 2]), [3, 2, 5]);
    assert.deepEqual(apportion(7, [0.5, 0.25, 0.25]), [3, 2, 2]);
  });

  it('never gives a part more than its cap and hands the rest to the others', () => {
    const parts = apportion(20, [10, 1, 1], [6, 20, 20]);
    assert.deepEqual(parts, [6, 7, 7]);
  });

  it('keeps the total whatever the weights', () => {
    for (let n = 0; n < 200; n += 1) {
      const weights = Array.from({ length: 1 + (n % 12) }, (_, i) => ((i * 7919 + n * 104729) % 97) / 10);
      const parts = apportion(n, weights);
      assert.equal(parts.reduce((a, b) => a + b, 0), n);
      assert.ok(parts.every((p) => Number.isInteger(p) && p >= 0));
    }
  });

  it('gives nothing to a zero weight while others can take it', () => {
    assert.deepEqual(apportion(5, [0, 1]), [0, 5]);
  });
});

describe('at', () => {
  it('throws for an index outside the list', () => {
    assert.equal(at(['a'], 0), 'a');
    assert.throws(() => at(['a'], 1), RangeError);
  });
});
