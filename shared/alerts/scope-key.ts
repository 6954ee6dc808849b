import { createHash } from 'node:crypto';
import type { RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import type { VerificationTrigger } from './alert-event.js';

/**
 * Alerts deduplicate and resolve within a scope key only, so a verification of another range never
 * resolves the alerts of this one. The key is the mode and the range: `production:2021-11-01..2021-11-30`.
 *
 * The scheduled verification covers the coverage target "through yesterday": its end moves every day.
 * Keyed by its end, yesterday's alerts would never be seen again (never resolved, fired anew daily),
 * so a rolling scope is keyed by its start only: `production:2016-10-01..`. Excluded dates are part of it.
 */
export function scopeKey(
  scope: { readonly mode: RunMode; readonly start: IsoDate; readonly end: IsoDate; readonly excludeDates?: readonly IsoDate[] },
  rolling: boolean,
): string {
  return `${scope.mode}:${scope.start}..${rolling ? '' : scope.end}${exclusionsKey(scope.excludeDates ?? [])}`;
}

/**
 * A scope that excludes dates is another scope (it passes where the whole range may not): `!2021-11-15`, or for
 * more than three dates their count and a digest, `!12:3f9a0c1d`.
 */
function exclusionsKey(dates: readonly IsoDate[]): string {
  if (dates.length === 0) return '';
  const sorted = [...new Set(dates)].sort();
  if (sorted.length <= 3) return `!${sorted.join(',')}`;
  return `!${sorted.length}:${createHash('sha256').update(sorted.join(',')).digest('hex').slice(0, 8)}`;
}

/** Scheduled verifications are the rolling ones. */
export function isRollingTrigger(trigger: VerificationTrigger): boolean {
  return trigger === 'scheduled';
}
