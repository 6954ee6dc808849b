import type { IsoDate } from '../shared/util/dates.js';
import { SEASON_TYPES, type SeasonType } from '../shared/tables/raw-schemas.js';
import type { TeamAbbr } from './teams.js';

export { SEASON_TYPES, type SeasonType };

const TYPE_DIGIT: Record<SeasonType, string> = {
  regular_season: '2',
  playoffs: '4',
  play_in: '5',
  nba_cup_final: '6',
};

/**
 * NBA.com game id: `00`, the type digit, the season's two digits, a 5-digit sequence
 * (`0021600001`). Playoff and play-in sequences are `00` + round + series + game, as NBA.com's.
 */
export function gameId(seasonType: SeasonType, seasonYear: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 99999) throw new RangeError(`bad game sequence ${sequence}`);
  return `00${TYPE_DIGIT[seasonType]}${String(seasonYear % 100).padStart(2, '0')}${String(sequence).padStart(5, '0')}`;
}

/** A game of the sample with its final result; everything else about it is derived from this and the seed. */
export interface SampleGame {
  readonly gameId: string;
  readonly gameDate: IsoDate;
  readonly seasonYear: number;
  readonly seasonType: SeasonType;
  readonly home: TeamAbbr;
  readonly away: TeamAbbr;
  readonly homeScore: number;
  readonly awayScore: number;
  readonly overtimes: number;
  /** Bubble and Cup final games: no home-court edge. */
  readonly neutralSite: boolean;
}

export function compareGames(a: SampleGame, b: SampleGame): number {
  return a.gameDate < b.gameDate ? -1 : a.gameDate > b.gameDate ? 1 : a.gameId < b.gameId ? -1 : a.gameId > b.gameId ? 1 : 0;
}

export function winnerOf(game: SampleGame): TeamAbbr {
  return game.homeScore > game.awayScore ? game.home : game.away;
}
