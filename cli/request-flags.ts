import { listText } from '../shared/input/fields.js';
import { parseBackfillRequest, type BackfillRequest } from '../shared/planning/backfill-request.js';
import { InvalidInputError } from '../shared/input/invalid-input.js';
import { isRunId, RUN_ID_HINT } from '../shared/planning/ids.js';
import { UsageError } from './usage-error.js';

export interface RequestFlags {
  tables?: string;
  start?: string;
  end?: string;
  excludeDate?: string[];
  mode?: string;
  reprocess?: string;
}

/** `--tables a,b|all` and friends become a validated request, or a UsageError that says how to fix it. */
export function requestFromFlags(flags: RequestFlags): BackfillRequest {
  try {
    return parseBackfillRequest({
      tables: listText(flags.tables ?? 'all'),
      start: flags.start,
      end: flags.end,
      excludeDates: flags.excludeDate ?? [],
      mode: flags.mode ?? 'production',
      reprocess: flags.reprocess ?? 'none',
    });
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new UsageError(`invalid ${error.what}:\n  - ${error.problems.join('\n  - ')}`);
    }
    throw error;
  }
}

/**
 * A commander parser for a whole-number flag: digits only (not `1e3`, `0x10` or `1.0`), at least 1,
 * at most `max`. Refused before anything is opened or written.
 */
export function positiveInt(name: string, max: number = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} must be a positive whole number, got "${value}"`);
    if (n > max) throw new UsageError(`${name} must be at most ${max}, got ${n}`);
    return n;
  };
}

/** `--run <id>`: the shape of a run id, checked before the ledger is asked. */
export function runIdFlag(value: string): string {
  if (!isRunId(value)) throw new UsageError(`--run: "${value.slice(0, 60)}" is not a run id (${RUN_ID_HINT}); \`backfill status\` lists the runs`);
  return value;
}
