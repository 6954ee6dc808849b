import { at } from './arrays.js';
import { compareGames, gameId, type SampleGame } from './game.js';
import { regularSeasonMatchups } from './matchups.js';
import { conferenceSeeds, playIn, playoffs, rankTeams, records, type PlayGame } from './postseason.js';
import { Rng } from './prng.js';
import { assignDates, playableDates, type DatedMatchup } from './regular-calendar.js';
import { restartMatchups } from './restart.js';
import type { SeasonRosters } from './rosters.js';
import { simulateScore } from './scores.js';
import type { SampleSeason } from './seasons.js';
import { TEAM_ABBRS, teamsOf, type TeamAbbr } from './teams.js';

/**
 * Every game of one season, played: the regular season (cut at a stop, plus a restart), the Cup
 * final, the play-in and the playoffs, sorted by date then game id. Results come from the rosters'
 * ratings and a stream per game id, so the bracket follows the regular season it was built from.
 */
export function planSeason(seed: number, season: SampleSeason, rosters: SeasonRosters): SampleGame[] {
  const year = season.seasonYear;
  const rating = (t: TeamAbbr) => rosters.get(t)?.rating ?? 0;
  const play: PlayGame = ({ seasonType, sequence, date, home, away, neutralSite }) => {
    const id = gameId(seasonType, year, sequence);
    const score = simulateScore(Rng.for(seed, 'score', id), {
      homeRating: rating(home),
      awayRating: rating(away),
      averagePoints: season.averagePoints,
      neutralSite,
      playoffs: seasonType === 'playoffs',
    });
    return { gameId: id, gameDate: date, seasonYear: year, seasonType, home, away, neutralSite, ...score };
  };
  const playAll = (dated: readonly DatedMatchup[], firstSequence: number, neutralSite: boolean) =>
    dated
      .map((m, order) => ({ m, order }))
      .sort((a, b) => (a.m.date < b.m.date ? -1 : a.m.date > b.m.date ? 1 : a.order - b.order))
      .map(({ m }, i) => play({ seasonType: 'regular_season', sequence: firstSequence + i, date: m.date, home: m.home, away: m.away, neutralSite }));

  const calendarRng = Rng.for(seed, 'calendar', year);
  const planned = assignDates(calendarRng, regularSeasonMatchups(calendarRng, season.gamesPerTeam), playableDates(season));
  const played = season.stoppedAfter ? planned.filter((m) => m.date <= (season.stoppedAfter as string)) : planned;
  const regular = playAll(played, 1, false);
  if (season.restart) {
    const table = records(regular);
    const invited = rankTeams(TEAM_ABBRS, table, rating).slice(0, season.restart.teams);
    const bubble = restartMatchups(Rng.for(seed, 'restart', year), invited, season.restart.gamesPerTeam, season.restart.start);
    regular.push(...playAll(bubble, regular.length + 1, true));
  }

  const games = [...regular];
  if (season.cupFinal) {
    const cupRng = Rng.for(seed, 'cup', year);
    const finalist = (teams: TeamAbbr[]) =>
      at(teams.map((t) => ({ t, key: rating(t) + cupRng.normal(0, 3) })).sort((a, b) => b.key - a.key), 0).t;
    const [home, away] = cupRng.shuffle([finalist(teamsOf('East')), finalist(teamsOf('West'))]);
    games.push(play({ seasonType: 'nba_cup_final', sequence: 1, date: season.cupFinal, home: home as TeamAbbr, away: away as TeamAbbr, neutralSite: true }));
  }

  const table = records(regular);
  let seeds = conferenceSeeds(rankTeams(TEAM_ABBRS, table, rating));
  if (season.playInStart) {
    const result = playIn(seeds, season.playInStart, play);
    games.push(...result.games);
    seeds = result.seeds;
  }
  const overall = rankTeams(TEAM_ABBRS, table, rating);
  const better = (a: TeamAbbr, b: TeamAbbr) => overall.indexOf(a) < overall.indexOf(b);
  games.push(...playoffs(seeds, season.playoffsStart, better, play));
  return games.sort(compareGames);
}
