import { ANALYTICS_TABLES } from '../shared/tables/names.js';
import { InvalidRequestError, parseBackfillRequest, type BackfillRequest } from '../shared/planning/backfill-request.js';
import { UsageError } from './usage-error.js';

export interface RequestFlags {
  tables?: string;
  start?: string;
  end?: string;
  excludeDate?: string[];
  mode?: string;
}

/** `--tables a,b|all` and friends become a validated request, or a UsageError that says how to fix it. */
export function requestFromFlags(flags: RequestFlags): BackfillRequest {
  const tables = parseTables(flags.tables ?? 'all');
  try {
    return parseBackfillRequest({
      tables,
      start: flags.start,
      end: flags.end,
      excludeDates: flags.excludeDate ?? [],
      mode: flags.mode ?? 'production',
    });
  } catch (error) {
    if (error instanceof InvalidRequestError) {
      throw new UsageError(`invalid request:\n  - ${error.problems.join('\n  - ')}`);
    }
    throw error;
  }
}

export function parseTables(value: string): 'all' | string[] {
  if (value.trim() === 'all') return 'all';
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(ANALYTICS_TABLES as readonly string[]).includes(n));
  if (unknown.length || names.length === 0) {
    throw new UsageError(`unknown table${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ') || '(none given)'}\n  known: all, ${ANALYTICS_TABLES.join(', ')}`);
  }
  return names;
}
