import type { BigQueryLimits, JobLatencies } from '../simulator/bigquery-limits.js';
import { meanMs } from '../simulator/latency.js';

/** One table's sustained write rate under the limits when every job replaces `datesPerJob` dates. */
export interface RateBound {
  readonly datesPerJob: number;
  /** Dates per second each limit allows, and the least of them. */
  readonly partitionRate: number;
  readonly dmlRate: number;
  readonly concurrencyRate: number;
  readonly rate: number;
  readonly binding: 'partitions' | 'DML rate' | 'concurrency';
}

/**
 * Per table, dates per second:
 * - partitions: whole jobs fit a window, floor(P / d) of them, so floor(P / d) * d / W;
 * - DML rate: D jobs per window, D * d / W;
 * - concurrency: C jobs at once, each lasting its mean latency, C * d / L(d).
 */
export function rateBound(limits: BigQueryLimits, latency: JobLatencies, datesPerJob: number): RateBound {
  const windowSeconds = limits.windowMs / 1000;
  const d = datesPerJob;
  const partitionRate = (Math.floor(limits.partitionModificationsPerWindow / d) * d) / windowSeconds;
  const dmlRate = (limits.dmlPerWindow * d) / windowSeconds;
  const concurrencyRate = (limits.concurrentMutatingDml * d) / (mergeMs(latency, d) / 1000);
  const rate = Math.min(partitionRate, dmlRate, concurrencyRate);
  const binding = rate === partitionRate ? 'partitions' : rate === dmlRate ? 'DML rate' : 'concurrency';
  return { datesPerJob: d, partitionRate, dmlRate, concurrencyRate, rate, binding };
}

/** Mean modelled duration of a MERGE over `dates` dates. */
export function mergeMs(latency: JobLatencies, dates: number): number {
  return meanMs(latency.merge) + latency.mergePerDateMs * dates;
}

export interface Floor {
  readonly best: RateBound;
  /** Seconds of each step of the derivation. */
  readonly firstQuerySeconds: number;
  readonly rateSeconds: number;
  readonly lastMergeSeconds: number;
  readonly readBackSeconds: number;
  readonly dependentSeconds: number;
  readonly totalSeconds: number;
  readonly lines: readonly string[];
}

/**
 * The shortest wall time the limits allow for `datesPerTable` dates in each table, whatever the
 * orchestration: tables have their own limits and run side by side, so the floor is one table's
 * writes at the best rate, plus the one job of the dependent table (upcoming_player_game_context
 * reads every earlier date of its inputs) that cannot start before its inputs' last dates are done.
 * Mean latencies; the service's own overheads (Firestore, Pub/Sub, reconcile) count as zero.
 */
export function limitsFloor(limits: BigQueryLimits, latency: JobLatencies, datesPerTable: number): Floor {
  let best = rateBound(limits, latency, 1);
  for (let d = 2; d <= limits.partitionModificationsPerWindow; d += 1) {
    const bound = rateBound(limits, latency, d);
    if (bound.rate > best.rate + 1e-9) best = bound;
  }
  const q = meanMs(latency.query) / 1000;
  const burst = Math.min(limits.partitionModificationsPerWindow, datesPerTable);
  // The first window's partitions start at once; the rest at the sustained rate.
  const rateSeconds = (datesPerTable - burst) / best.rate;
  const lastMergeSeconds = mergeMs(latency, best.datesPerJob) / 1000;
  const dependentSeconds = q + mergeMs(latency, 1) / 1000 + q;
  const totalSeconds = q + rateSeconds + lastMergeSeconds + q + dependentSeconds;
  const f = (s: number) => `${s.toFixed(1)} s`;
  const lines = [
    `per table and dates per job d: min(floor(${limits.partitionModificationsPerWindow}/d)*d/${limits.windowMs / 1000} s [partitions], ` +
      `${limits.dmlPerWindow}*d/${limits.windowMs / 1000} s [DML rate], ${limits.concurrentMutatingDml}*d/L(d) [concurrency]) dates/s, ` +
      `L(d) = ${f(meanMs(latency.merge) / 1000)} + ${(latency.mergePerDateMs / 1000).toFixed(2)} s*d (mean MERGE)`,
    `best: d = ${best.datesPerJob}: ${best.rate.toFixed(2)} dates/s per table (${best.binding} binds; concurrency allows ${best.concurrencyRate.toFixed(2)})`,
    `one table: expectations ${f(q)} + (${datesPerTable} - ${burst} dates) / ${best.rate.toFixed(2)} per s ${f(rateSeconds)} + last MERGE ${f(lastMergeSeconds)} + read-back ${f(q)}`,
    `+ the last date of upcoming_player_game_context after its inputs: ${f(q)} + MERGE of 1 date ${f(mergeMs(latency, 1) / 1000)} + ${f(q)} = ${f(dependentSeconds)}`,
    `floor = ${f(totalSeconds)} (${(totalSeconds / 60).toFixed(2)} min)`,
  ];
  return { best, firstQuerySeconds: q, rateSeconds, lastMergeSeconds, readBackSeconds: q, dependentSeconds, totalSeconds, lines };
}

/** The replaced backfill: one date of one table after another, each an expectations query, a write and a read-back. */
export function oneDateAtATimeSeconds(latency: JobLatencies, chunks: number): number {
  return (chunks * (2 * meanMs(latency.query) + mergeMs(latency, 1))) / 1000;
}
