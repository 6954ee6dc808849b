import assert from 'node:assert/strict';
import { Rng, deriveSeed, mulberry32 } from '../../sample/prng.js';

describe('prng', () => {
  it('repeats the same sequence for the same seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = Array.from({ length: 100 }, () => a());
    assert.deepEqual(Array.from({ length: 100 }, () => b()), first);
  });

  it('gives another sequence for another seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(43);
    assert.notDeepEqual(Array.from({ length: 5 }, () => b()), Array.from({ length: 5 }, () => a()));
  });

  it('matches the reference mulberry32, also after the state wraps around', () => {
    // Values of the widely copied reference implementation (bryc's "PRNGs" notes) for the same seeds.
    const zero = mulberry32(0);
    assert.equal(zero() * 4294967296, 1144304738);
    assert.equal(zero() * 4294967296, 1416247);
    const other = mulberry32(0xdeadbeef);
    for (let i = 0; i < 1000; i += 1) other();
    assert.equal(other() * 4294967296, 1570522115);
  });

  it('stays in [0, 1) and spreads evenly', () => {
    const next = mulberry32(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i += 1) {
      const x = next();
      assert.ok(x >= 0 && x < 1);
      buckets[Math.floor(x * 10)]! += 1;
    }
    for (const count of buckets) assert.ok(Math.abs(count - 10_000) < 500, `bucket holds ${count}`);
  });

  it('derives different streams for different names and the same stream for the same name', () => {
    assert.equal(deriveSeed(1, 'game', '0021600001'), deriveSeed(1, 'game', '0021600001'));
    assert.notEqual(deriveSeed(1, 'game', '0021600001'), deriveSeed(1, 'game', '0021600002'));
    assert.notEqual(deriveSeed(1, 'game', '0021600001'), deriveSeed(2, 'game', '0021600001'));
    assert.notEqual(deriveSeed(1, 'ab', 'c'), deriveSeed(1, 'a', 'bc'));
  });

  it('draws integers inclusively at both ends', () => {
    const rng = new Rng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i += 1) seen.add(rng.int(1, 3));
    assert.deepEqual([...seen].sort(), [1, 2, 3]);
  });

  it('draws normals around the mean', () => {
    const rng = new Rng(5);
    let total = 0;
    for (let i = 0; i < 20_000; i += 1) total += rng.normal(10, 2);
    assert.ok(Math.abs(total / 20_000 - 10) < 0.1);
  });

  it('shuffles into a permutation of the same items', () => {
    const items = Array.from({ length: 30 }, (_, i) => i);
    const shuffled = new Rng(9).shuffle([...items]);
    assert.notDeepEqual(shuffled, items);
    assert.deepEqual([...shuffled].sort((a, b) => a - b), items);
  });
});
