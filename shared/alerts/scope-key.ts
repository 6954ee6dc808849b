import type { RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import type { VerificationTrigger } from './alert-event.js';

/**
 * Alerts deduplicate and resolve within a scope key only, so a verification of another range never
 * resolves the alerts of this one. The key is the mode and the range: `production:2021-11-01..2021-11-30`.
 *
 * The scheduled verification covers the coverage target "through yesterday": its end moves every day.
 * Keyed by its end, yesterday's alerts would never be seen again (never resolved, fired anew daily),
 * so a rolling scope is keyed by its start only: `production:2016-10-01..`.
 */
export function scopeKey(scope: { readonly mode: RunMode; readonly start: IsoDate; readonly end: IsoDate }, rolling: boolean): string {
  return `${scope.mode}:${scope.start}..${rolling ? '' : scope.end}`;
}

/** Scheduled verifications are the rolling ones. */
export function isRollingTrigger(trigger: VerificationTrigger): boolean {
  return trigger === 'scheduled';
}
