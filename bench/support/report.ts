import Table from 'cli-table3';
import { LIMIT_NAMES } from '../simulator/bigquery-errors.js';
import type { BigQueryLimits, JobLatencies } from '../simulator/bigquery-limits.js';
import { describeLatency } from '../simulator/latency.js';
import type { Floor } from './floor.js';
import type { GrowthPoint } from './growth.js';
import { FIRESTORE_LATENCY } from './modelled-ledger.js';
import type { Setting } from './plans.js';
import { PUBLISH_MS } from './queues.js';
import { PUBSUB_RETRY, PUSH_DELIVERY_MS, type ScenarioResult } from './scenario.js';

/** No colour: the output goes to logs and docs as often as to a terminal. */
function plain(): { style: { head: string[]; border: string[] } } {
  return { style: { head: [], border: [] } };
}

export function minutes(seconds: number): string {
  return `${(seconds / 60).toFixed(1)} min`;
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function describeModel(limits: BigQueryLimits, latency: JobLatencies): string[] {
  return [
    `BigQuery limits, per table: ${limits.concurrentMutatingDml} MERGE running + ${limits.queuedMutatingDml} queued (more fail), ` +
      `${limits.dmlPerWindow} DML and ${limits.tableModificationsPerWindow} table modifications per ${limits.windowMs / 1000} s ` +
      `(a MERGE counts ${limits.countPartitionModifications === 'per-job' ? 'once' : 'once per date'}), at most ${count(limits.partitionsPerJob)} partitions a job, ` +
      `${count(limits.partitionModificationsPerDay)} partition modifications a day ${limits.dailyQuotaChargesDml ? '(DML charged)' : '(DML not charged)'}; ` +
      'refusals are the client\'s ApiError',
    `BigQuery job latency: query ${describeLatency(latency.query)}; MERGE ${describeLatency(latency.merge)} + ${latency.mergePerDateMs} ms per date; ` +
      `refused job ${describeLatency(latency.rejected)}`,
    `Firestore ${FIRESTORE_LATENCY.callMs} ms a call + ${FIRESTORE_LATENCY.perDocumentMs} ms a document; Pub/Sub publish ${PUBLISH_MS} ms, ` +
      `push ${PUSH_DELIVERY_MS} ms, redelivery back-off ${PUBSUB_RETRY.minMs / 1000}..${PUBSUB_RETRY.maxMs / 1000} s`,
  ];
}

/** What each table met in BigQuery, and what the run cost in Firestore and Pub/Sub. */
export function details(result: ScenarioResult): string[] {
  const perTable = new Table({ head: ['table', 'done at', 'MERGE jobs', 'partitions', 'max running', 'max queued', ...LIMIT_NAMES.map((l) => `refused: ${l}`)], ...plain() });
  for (const t of [...result.limits.tables].sort((a, b) => a.table.localeCompare(b.table))) {
    const name = t.table.split('.').pop() ?? t.table;
    const done = result.tableDoneSeconds[name as keyof typeof result.tableDoneSeconds];
    perTable.push([name, done === undefined ? '-' : `${done.toFixed(0)} s`, count(t.jobs), count(t.partitions), t.maxRunning, t.maxQueued, ...LIMIT_NAMES.map((l) => t.rejected[l])]);
  }
  const states = Object.entries(result.states).map(([s, n]) => `${s} ${count(n)}`).join(', ');
  const { ledger, queue, pool } = result;
  return [
    perTable.toString(),
    `chunks: ${count(result.chunks)} (${states}); quota back-offs ${count(result.quotaRetries)} (chunk-retries, no attempt spent), attempts spent ${result.attemptsSpent}`,
    `Firestore: ${count(ledger.reads)} document reads (reconcile ${count(result.reconcileReads)}, workers ${count(ledger.reads - result.reconcileReads)}), ` +
      `${count(ledger.writes)} writes, ${count(ledger.calls)} calls; reads by call: ` +
      Object.entries(ledger.readsByCall).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${count(v)}`).join(', '),
    `Firestore emulator time by call (real, not modelled): ` +
      Object.entries(ledger.realMsByCall).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', '),
    `Pub/Sub: ${count(queue.published)} messages published, ${count(queue.received)} received, ${queue.duplicates} duplicates; ` +
      `${count(pool.deliveries)} deliveries handled, ${count(pool.redelivered)} nacked for redelivery, at most ${pool.maxBusy} instances busy`,
    `reconcile: ${result.ticks} ticks, ${result.tickErrors} failed${result.lastTickError ? ` (last: ${result.lastTickError})` : ''}`,
  ];
}

/** One run of the scale benchmark beside the floor at its setting. */
export interface SettingResult {
  readonly setting: Setting;
  readonly floor: Floor;
  readonly result: ScenarioResult;
}

export function settingsTable(rows: readonly SettingResult[]): string {
  const table = new Table({
    head: ['run', 'dates a job', 'modelled wall', 'last checkpoint', 'floor', 'x floor', 'MERGE jobs', 'refused', 'quota back-offs', 'Firestore reads', 'real s'],
    ...plain(),
  });
  for (const { setting, floor, result } of rows) {
    const refused = Object.values(result.rejected).reduce((a, b) => a + b, 0);
    const jobs = result.limits.tables.reduce((a, t) => a + t.jobs, 0);
    table.push([
      setting.name, setting.plan.datesPerJob, `${minutes(result.wallSeconds)}${result.runState === 'succeeded' ? '' : ` (${result.runState})`}`,
      minutes(result.lastCheckpointSeconds), minutes(floor.totalSeconds), `${(result.wallSeconds / floor.totalSeconds).toFixed(2)}x`,
      count(jobs), count(refused), count(result.quotaRetries), count(result.ledger.reads), result.realSeconds.toFixed(0),
    ]);
  }
  return table.toString();
}

export function growthTable(points: readonly GrowthPoint[]): string {
  const table = new Table({
    head: ['chunks', 'tick: modelled s', 'tick: emulator s', 'tick: reads', 'tick: writes', 'published', 'reads / chunk', 'createRun: emulator s'],
    ...plain(),
  });
  for (const p of points) {
    table.push([
      count(p.chunks), p.tickModelledSeconds.toFixed(2), p.tickRealSeconds.toFixed(2), count(p.tickReads), count(p.tickWrites),
      count(p.published), (p.tickReads / p.chunks).toFixed(2), p.createRealSeconds.toFixed(1),
    ]);
  }
  return table.toString();
}
