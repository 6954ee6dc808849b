import { mulberry32, type RandomSource } from '../../sample/prng.js';

/** How long something takes, in modelled milliseconds. */
export type LatencyDistribution =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  /** Right-skewed like real job times: median * e^(sigma * N(0,1)), capped at maxMs when given. */
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number; readonly maxMs?: number };

export const LATENCY_KINDS = ['fixed', 'uniform', 'lognormal'] as const;

export function fixedMs(ms: number): LatencyDistribution {
  return { kind: 'fixed', ms };
}

export function lognormalMs(medianMs: number, sigma: number, maxMs?: number): LatencyDistribution {
  return maxMs === undefined ? { kind: 'lognormal', medianMs, sigma } : { kind: 'lognormal', medianMs, sigma, maxMs };
}

/** A seeded sampler: the same seed draws the same latencies, so two runs of the model compare. */
export class LatencySampler {
  private readonly random: RandomSource;
  private spare: number | undefined;

  constructor(seed = 1) {
    this.random = mulberry32(seed);
  }

  sample(distribution: LatencyDistribution): number {
    switch (distribution.kind) {
      case 'fixed':
        return distribution.ms;
      case 'uniform':
        return distribution.minMs + this.random() * (distribution.maxMs - distribution.minMs);
      case 'lognormal': {
        const ms = distribution.medianMs * Math.exp(distribution.sigma * this.normal());
        return distribution.maxMs === undefined ? ms : Math.min(ms, distribution.maxMs);
      }
    }
  }

  /** Standard normal by Box-Muller, both values of a pair used. */
  private normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const u = 1 - this.random();
    const v = this.random();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}

/** The expected value; for a capped lognormal, the uncapped mean (the cap only trims the tail). */
export function meanMs(distribution: LatencyDistribution): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.ms;
    case 'uniform':
      return (distribution.minMs + distribution.maxMs) / 2;
    case 'lognormal':
      return distribution.medianMs * Math.exp((distribution.sigma * distribution.sigma) / 2);
  }
}

/** The smallest value the distribution can draw (0 for a lognormal, which has no floor). */
export function minMs(distribution: LatencyDistribution): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.ms;
    case 'uniform':
      return distribution.minMs;
    case 'lognormal':
      return 0;
  }
}

export function describeLatency(distribution: LatencyDistribution): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 2)} s`;
  switch (distribution.kind) {
    case 'fixed':
      return s(distribution.ms);
    case 'uniform':
      return `uniform ${s(distribution.minMs)}..${s(distribution.maxMs)}`;
    case 'lognormal':
      return `lognormal median ${s(distribution.medianMs)}, sigma ${distribution.sigma} (mean ${s(Math.round(meanMs(distribution)))})`;
  }
}
