import { planSample } from '../../sample/generate-sample.js';
import type { IsoDate } from '../../shared/util/dates.js';

/**
 * Games per game date of the deterministic sample (the schedule `npm run demo` loads), in
 * [start, end]: the dates every analytics table has a chunk for.
 */
export function sampleGamesByDate(start: IsoDate, end: IsoDate): Map<IsoDate, number> {
  const games = new Map<IsoDate, number>();
  for (const game of planSample({ start, end }).games) {
    if (game.gameDate < start || game.gameDate > end) continue;
    games.set(game.gameDate, (games.get(game.gameDate) ?? 0) + 1);
  }
  return new Map([...games].sort(([a], [b]) => a.localeCompare(b)));
}
