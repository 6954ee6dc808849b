import type { AnalyticsTableSpec } from '../tables/types.js';
import type { AnalyticsTableName } from '../tables/names.js';
import { addDaysIso, type IsoDate } from '../util/dates.js';

/** Sorted dates per table of chunks (in the same run) that are not done yet. */
export type NotDoneDates = ReadonlyMap<AnalyticsTableName, readonly IsoDate[]>;

export interface Blocker {
  readonly table: AnalyticsTableName;
  readonly gameDate: IsoDate;
}

/**
 * The first upstream partition (of this run) that chunk (spec, date) reads and that is not done,
 * or null when it may run. Upstream partitions outside the run are read as the warehouse has them.
 */
export function findBlocker(spec: AnalyticsTableSpec, date: IsoDate, notDone: NotDoneDates): Blocker | null {
  for (const dep of spec.upstream) {
    const pending = notDone.get(dep.table);
    if (!pending || pending.length === 0) continue;
    const from = dep.lookbackDays === 'all' ? '' : addDaysIso(date, -dep.lookbackDays);
    const to = dep.sameDate ? date : addDaysIso(date, -1);
    const hit = firstInRange(pending, from, to);
    if (hit) return { table: dep.table, gameDate: hit };
  }
  return null;
}

function firstInRange(sorted: readonly IsoDate[], from: IsoDate, to: IsoDate): IsoDate | null {
  // Binary search for the first date >= from.
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as IsoDate) < from) lo = mid + 1;
    else hi = mid;
  }
  const candidate = sorted[lo];
  return candidate !== undefined && candidate <= to ? candidate : null;
}
