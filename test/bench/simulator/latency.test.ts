import assert from 'node:assert/strict';
import { describeLatency, fixedMs, LatencySampler, lognormalMs, meanMs, minMs } from '../../../bench/simulator/latency.js';

function draws(sampler: LatencySampler, distribution: Parameters<LatencySampler['sample']>[0], n: number): number[] {
  return Array.from({ length: n }, () => sampler.sample(distribution));
}

describe('latency distributions', function () {
  it('draws the same latencies from the same seed, and others from another', function () {
    const d = lognormalMs(6_000, 0.3);
    assert.deepEqual(draws(new LatencySampler(7), d, 20), draws(new LatencySampler(7), d, 20));
    assert.notDeepEqual(draws(new LatencySampler(7), d, 20), draws(new LatencySampler(8), d, 20));
  });

  it('draws a fixed latency as it is and a uniform one within its bounds', function () {
    const sampler = new LatencySampler(1);
    assert.deepEqual(draws(sampler, fixedMs(500), 3), [500, 500, 500]);
    const uniform = draws(sampler, { kind: 'uniform', minMs: 100, maxMs: 200 }, 2_000);
    assert.ok(uniform.every((ms) => ms >= 100 && ms <= 200));
    assert.ok(Math.abs(uniform.reduce((a, b) => a + b, 0) / uniform.length - 150) < 5);
  });

  it('draws a lognormal around its median with the mean of its formula, never above its cap', function () {
    const sampler = new LatencySampler(3);
    const free = draws(sampler, lognormalMs(6_000, 0.3), 20_000).sort((a, b) => a - b);
    const median = free[free.length / 2] as number;
    assert.ok(Math.abs(median / 6_000 - 1) < 0.03, `median ${median}`);
    const mean = free.reduce((a, b) => a + b, 0) / free.length;
    assert.ok(Math.abs(mean / meanMs(lognormalMs(6_000, 0.3)) - 1) < 0.02, `mean ${mean}`);
    assert.ok(free.some((ms) => ms > 9_000), 'the right tail is there');

    const capped = draws(sampler, lognormalMs(6_000, 0.3, 9_000), 5_000);
    assert.ok(capped.every((ms) => ms > 0 && ms <= 9_000));
  });

  it('states each distribution\'s mean, minimum and description', function () {
    assert.equal(meanMs(fixedMs(500)), 500);
    assert.equal(meanMs({ kind: 'uniform', minMs: 100, maxMs: 200 }), 150);
    assert.ok(Math.abs(meanMs(lognormalMs(1_000, 0.3)) - 1_046.0) < 0.1);
    assert.equal(minMs({ kind: 'uniform', minMs: 100, maxMs: 200 }), 100);
    assert.equal(minMs(lognormalMs(1_000, 0.3)), 0);
    assert.equal(describeLatency(fixedMs(500)), '0.50 s');
    assert.equal(describeLatency(lognormalMs(6_000, 0.3)), 'lognormal median 6 s, sigma 0.3 (mean 6.28 s)');
  });
});
