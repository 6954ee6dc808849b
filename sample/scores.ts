import type { Rng } from './prng.js';
import { clamp } from './arrays.js';

export interface FinalScore {
  readonly homeScore: number;
  readonly awayScore: number;
  readonly overtimes: number;
}

export interface ScoreInput {
  /** Team strengths in points per game over an average team. */
  readonly homeRating: number;
  readonly awayRating: number;
  readonly averagePoints: number;
  readonly neutralSite: boolean;
  readonly playoffs: boolean;
}

const HOME_EDGE_POINTS = 1.5;
const PLAYOFF_POINTS_DROP = 2;

/** What each side scores on average in this matchup: the model behind both the results and the betting lines. */
export function expectedPoints(input: ScoreInput): { home: number; away: number } {
  const edge = input.neutralSite ? 0 : HOME_EDGE_POINTS;
  const base = input.averagePoints - (input.playoffs ? PLAYOFF_POINTS_DROP : 0);
  const half = (input.homeRating - input.awayRating) / 2;
  return { home: base + edge + half, away: base - edge - half };
}

/** A final score; a tie after regulation goes to overtime until it is broken. */
export function simulateScore(rng: Rng, input: ScoreInput): FinalScore {
  const expected = expectedPoints(input);
  const pace = rng.normal(0, 6);
  let homeScore = Math.round(clamp(expected.home + pace + rng.normal(0, 9), 72, 160));
  let awayScore = Math.round(clamp(expected.away + pace + rng.normal(0, 9), 72, 160));
  let overtimes = 0;
  while (homeScore === awayScore) {
    overtimes += 1;
    homeScore += Math.round(clamp(rng.normal(10, 3), 2, 22));
    awayScore += Math.round(clamp(rng.normal(10, 3), 2, 22));
  }
  return { homeScore, awayScore, overtimes };
}
