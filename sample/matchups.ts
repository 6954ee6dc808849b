import { at } from './arrays.js';
import type { Rng } from './prng.js';
import { CONFERENCES, TEAM_ABBRS, conferenceOf, teamsOf, type TeamAbbr } from './teams.js';

export interface Matchup {
  readonly home: TeamAbbr;
  readonly away: TeamAbbr;
}

/**
 * The regular-season pairings, every team home in half its games.
 * 82 games: two against each team of the other conference (one home), and 52 in the conference: four
 * against ten teams and three against four (a circulant graph over a shuffled order, so each team is
 * home twice in two of its three-game series and once in the other two).
 * 72 games (2020-21): two against each team of the other conference and three against each of its own
 * (a regular tournament decides who is home twice).
 */
export function regularSeasonMatchups(rng: Rng, gamesPerTeam: 82 | 72): Matchup[] {
  const games: Matchup[] = [];
  const add = (home: TeamAbbr, away: TeamAbbr, times: number) => {
    for (let i = 0; i < times; i += 1) games.push({ home, away });
  };
  TEAM_ABBRS.forEach((a, i) => {
    for (const b of TEAM_ABBRS.slice(i + 1)) {
      if (conferenceOf(a) !== conferenceOf(b)) {
        add(a, b, 1);
        add(b, a, 1);
      }
    }
  });
  for (const conference of CONFERENCES) {
    const order = rng.shuffle(teamsOf(conference));
    const n = order.length;
    for (let i = 0; i < n; i += 1) {
      for (let j = i + 1; j < n; j += 1) {
        const a = at(order, i);
        const b = at(order, j);
        const d = j - i; // a is d steps before b; b is n - d steps before a
        if (gamesPerTeam === 72) {
          // a is home twice against the next seven teams in the circle.
          const aHomeTwice = d <= 7;
          add(a, b, aHomeTwice ? 2 : 1);
          add(b, a, aHomeTwice ? 1 : 2);
        } else if (d <= 2 || n - d <= 2) {
          const aHomeTwice = d <= 2;
          add(a, b, aHomeTwice ? 2 : 1);
          add(b, a, aHomeTwice ? 1 : 2);
        } else {
          add(a, b, 2);
          add(b, a, 2);
        }
      }
    }
  }
  return games;
}
