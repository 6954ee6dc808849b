import { addDaysIso, type IsoDate } from '../shared/util/dates.js';
import { at } from './arrays.js';
import type { DatedMatchup } from './regular-calendar.js';
import type { Rng } from './prng.js';
import type { TeamAbbr } from './teams.js';

/**
 * The 2019-20 bubble's seeding games: `gamesPerTeam` rounds of a round robin (circle method) over
 * the invited teams, each round spread over two days, so nobody plays twice a day or three days running.
 */
export function restartMatchups(rng: Rng, teams: readonly TeamAbbr[], gamesPerTeam: number, start: IsoDate): DatedMatchup[] {
  if (teams.length % 2 !== 0) throw new RangeError('the restart needs an even number of teams');
  const n = teams.length;
  const rounds = rng.shuffle(Array.from({ length: n - 1 }, (_, r) => r)).slice(0, gamesPerTeam);
  const games: DatedMatchup[] = [];
  rounds.forEach((r, k) => {
    // Circle method: team 0 stays put, the others rotate by r.
    const slot = (i: number) => (i === 0 ? 0 : 1 + ((i - 1 + r) % (n - 1)));
    const pairs: Array<[TeamAbbr, TeamAbbr]> = [];
    for (let i = 0; i < n / 2; i += 1) pairs.push([at(teams, slot(i)), at(teams, slot(n - 1 - i))]);
    rng.shuffle(pairs).forEach(([a, b], p) => {
      const homeFirst = rng.chance(0.5);
      games.push({
        home: homeFirst ? a : b,
        away: homeFirst ? b : a,
        date: addDaysIso(start, 2 * k + (p < pairs.length / 2 ? 0 : 1)),
      });
    });
  });
  return games;
}
