import { addDaysIso, type IsoDate } from '../shared/util/dates.js';
import { at } from './arrays.js';
import { winnerOf, type SampleGame, type SeasonType } from './game.js';
import { CONFERENCES, TEAM_ABBRS, conferenceOf, type Conference, type TeamAbbr } from './teams.js';

/** Plays one game: the caller owns the score model and the game id. */
export type PlayGame = (spec: {
  readonly seasonType: SeasonType;
  readonly sequence: number;
  readonly date: IsoDate;
  readonly home: TeamAbbr;
  readonly away: TeamAbbr;
  readonly neutralSite: boolean;
}) => SampleGame;

export interface TeamRecord {
  readonly wins: number;
  readonly losses: number;
}

export function records(games: readonly SampleGame[]): Map<TeamAbbr, TeamRecord> {
  const table = new Map<TeamAbbr, { wins: number; losses: number }>(TEAM_ABBRS.map((t) => [t, { wins: 0, losses: 0 }]));
  for (const g of games) {
    const winner = winnerOf(g);
    const loser = winner === g.home ? g.away : g.home;
    (table.get(winner) as { wins: number }).wins += 1;
    (table.get(loser) as { losses: number }).losses += 1;
  }
  return table;
}

/** Teams best first: win percentage, then rating, then tricode. */
export function rankTeams(
  teams: readonly TeamAbbr[],
  table: ReadonlyMap<TeamAbbr, TeamRecord>,
  rating: (t: TeamAbbr) => number,
): TeamAbbr[] {
  const pct = (t: TeamAbbr) => {
    const r = table.get(t) ?? { wins: 0, losses: 0 };
    return r.wins + r.losses === 0 ? 0 : r.wins / (r.wins + r.losses);
  };
  return [...teams].sort((a, b) => pct(b) - pct(a) || rating(b) - rating(a) || (a < b ? -1 : 1));
}

export type ConferenceSeeds = Record<Conference, TeamAbbr[]>;

export function conferenceSeeds(ranked: readonly TeamAbbr[]): ConferenceSeeds {
  return { East: ranked.filter((t) => conferenceOf(t) === 'East'), West: ranked.filter((t) => conferenceOf(t) === 'West') };
}

/**
 * The play-in (2020-21 on): 7 v 8 (winner is the 7 seed) and 9 v 10 (loser out) the first day, the
 * 7 v 8 loser hosting the 9 v 10 winner for the 8 seed two days later; East one day, West the next.
 * Sequences as NBA.com's: round, series, game (`00101`).
 */
export function playIn(seeds: ConferenceSeeds, start: IsoDate, play: PlayGame): { games: SampleGame[]; seeds: ConferenceSeeds } {
  const games: SampleGame[] = [];
  const result: ConferenceSeeds = { East: [], West: [] };
  CONFERENCES.forEach((conference, c) => {
    const s = seeds[conference];
    const game = (round: number, series: number, day: number, home: TeamAbbr, away: TeamAbbr) => {
      const g = play({ seasonType: 'play_in', sequence: round * 100 + series * 10 + 1, date: addDaysIso(start, day), home, away, neutralSite: false });
      games.push(g);
      return g;
    };
    const sevenEight = game(1, 2 * c, c, at(s, 6), at(s, 7));
    const nineTen = game(1, 2 * c + 1, c, at(s, 8), at(s, 9));
    const seventh = winnerOf(sevenEight);
    const loser78 = seventh === sevenEight.home ? sevenEight.away : sevenEight.home;
    const eighthGame = game(2, c, 2 + c, loser78, winnerOf(nineTen));
    result[conference] = [...s.slice(0, 6), seventh, winnerOf(eighthGame), ...s.slice(8)];
  });
  return { games, seeds: result };
}

const SERIES_DAYS = [0, 2, 4, 6, 8, 10, 12] as const;
const FINALS_DAYS = [0, 3, 6, 8, 11, 14, 17] as const;
/** Games 1, 2, 5 and 7 at the higher seed. */
const HIGHER_SEED_HOME = [true, true, false, false, true, false, true] as const;

interface Series {
  readonly higher: TeamAbbr;
  readonly lower: TeamAbbr;
}

/**
 * Four rounds of best-of-seven series: 1 v 8, 4 v 5, 3 v 6, 2 v 7 in each conference, then the
 * bracket. A round starts two days after the previous one's last game; `better` orders the finalists.
 */
export function playoffs(
  seeds: ConferenceSeeds,
  start: IsoDate,
  better: (a: TeamAbbr, b: TeamAbbr) => boolean,
  play: PlayGame,
): SampleGame[] {
  const games: SampleGame[] = [];
  const bracket = (s: TeamAbbr[]): Series[] =>
    [[0, 7], [3, 4], [2, 5], [1, 6]].map(([h, l]) => ({ higher: at(s, h as number), lower: at(s, l as number) }));
  let round: Series[] = [...bracket(seeds.East.slice(0, 8)), ...bracket(seeds.West.slice(0, 8))];
  let roundStart = start;
  for (let r = 1; r <= 4; r += 1) {
    const winners: TeamAbbr[] = [];
    let lastDate = roundStart;
    round.forEach((series, index) => {
      const wins = new Map<TeamAbbr, number>([[series.higher, 0], [series.lower, 0]]);
      for (let g = 0; g < 7; g += 1) {
        const date = addDaysIso(roundStart, at(r === 4 ? FINALS_DAYS : SERIES_DAYS, g) + (index % 2));
        const higherHome = at(HIGHER_SEED_HOME, g);
        const game = play({
          seasonType: 'playoffs',
          sequence: r * 100 + index * 10 + g + 1,
          date,
          home: higherHome ? series.higher : series.lower,
          away: higherHome ? series.lower : series.higher,
          neutralSite: false,
        });
        games.push(game);
        if (date > lastDate) lastDate = date;
        const w = winnerOf(game);
        wins.set(w, (wins.get(w) ?? 0) + 1);
        if (wins.get(w) === 4) {
          winners.push(w);
          break;
        }
      }
    });
    const next: Series[] = [];
    for (let i = 0; i + 1 < winners.length; i += 2) {
      const a = at(winners, i);
      const b = at(winners, i + 1);
      next.push(better(a, b) ? { higher: a, lower: b } : { higher: b, lower: a });
    }
    round = next;
    roundStart = addDaysIso(lastDate, 2);
  }
  return games;
}
