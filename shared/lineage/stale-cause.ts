import { z } from 'zod';
import { isIsoDate } from '../util/dates.js';
import type { LineageDrift } from './lineage-record.js';

const IsoDate = z.string().refine(isIsoDate, 'must be YYYY-MM-DD');

/**
 * Why a partition that holds the right rows is `stale`: it was not built from its inputs as they are now.
 * - `input_changed`: an input's rows differ from those the partition was built from (a corrected box score,
 *   a late scrape, a rebuilt upstream partition);
 * - `input_incomplete` / `input_stale`: an upstream analytics partition the features read is missing or short,
 *   or stale itself (`firstDate` is the earliest such date the partition reads, `dates` how many);
 * - `untracked`: the rows say nothing of their inputs (written before inputs were tracked, or by hand);
 * - `mixed_builds`: the date's rows were not written by one job;
 * - `transform_changed`: written by another version of the table's transform.
 */
export const StaleCauseSchema = z.discriminatedUnion('cause', [
  z.object({ cause: z.literal('input_changed'), input: z.string() }),
  z.object({ cause: z.literal('input_incomplete'), input: z.string(), firstDate: IsoDate, dates: z.number().int().positive() }),
  z.object({ cause: z.literal('input_stale'), input: z.string(), firstDate: IsoDate, dates: z.number().int().positive() }),
  z.object({ cause: z.literal('untracked') }),
  z.object({ cause: z.literal('mixed_builds') }),
  z.object({ cause: z.literal('transform_changed'), recorded: z.string(), current: z.string() }),
]);
export type StaleCause = z.infer<typeof StaleCauseSchema>;

export function causesOfDrift(drift: LineageDrift): StaleCause[] {
  switch (drift.kind) {
    case 'untracked': return [{ cause: 'untracked' }];
    case 'mixed': return [{ cause: 'mixed_builds' }];
    case 'transform': return [{ cause: 'transform_changed', recorded: drift.recorded, current: drift.current }];
    case 'inputs': return drift.inputs.map((input) => ({ cause: 'input_changed' as const, input }));
  }
}

/** One phrase, for reports and logs: "nbac_team_boxscore changed", "player_game_summary missing on 12 dates from 2018-04-01". */
export function describeStaleCause(cause: StaleCause): string {
  switch (cause.cause) {
    case 'input_changed': return `${cause.input} changed`;
    case 'input_incomplete': return `${cause.input} missing or short on ${cause.dates} earlier date${cause.dates === 1 ? '' : 's'} from ${cause.firstDate}`;
    case 'input_stale': return `${cause.input} stale on ${cause.dates} earlier date${cause.dates === 1 ? '' : 's'} from ${cause.firstDate}`;
    case 'untracked': return 'built before its inputs were tracked';
    case 'mixed_builds': return 'rows of several builds';
    case 'transform_changed': return `built by ${cause.recorded}, now ${cause.current}`;
  }
}
