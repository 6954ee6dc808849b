import { planSample, sampleRecords, type SampleOptions, type SamplePlan } from '../../sample/generate-sample.js';
import type { GameRecords } from '../../sample/raw-rows.js';
import { RAW_TABLES } from '../../shared/tables/names.js';

/** Generated once per test process: planning the whole range takes about half a second. */
let whole: SamplePlan | undefined;
export function wholePlan(): SamplePlan {
  whole ??= planSample();
  return whole;
}

/** Every row of the games in a range, per table. */
export function recordsOf(options: SampleOptions): GameRecords {
  const all = Object.fromEntries(RAW_TABLES.map((t) => [t, []])) as unknown as GameRecords;
  for (const { records } of sampleRecords(planSample(options))) {
    for (const table of RAW_TABLES) (all[table] as unknown[]).push(...records[table]);
  }
  return all;
}

const cache = new Map<string, GameRecords>();
export function cachedRecordsOf(options: SampleOptions): GameRecords {
  const key = JSON.stringify(options);
  let records = cache.get(key);
  if (!records) {
    records = recordsOf(options);
    cache.set(key, records);
  }
  return records;
}

/** The bubble, its playoffs, then all of 2020-21 with its play-in and playoffs. */
export const COVID_YEAR = { start: '2020-07-01', end: '2021-07-31' } as const;

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
