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

/** A final score; a tie after regulation goes to overtime until it is broken. */
export function simulateScore(rng: Rng, input: ScoreInput): FinalScore {
  const edge = input.neutralSite ? 0 : HOME_EDGE_POINTS;
  const base = input.averagePoints - (input.playoffs ? 2 : 0) + rng.normal(0, 6);
  const half = (input.homeRating - input.awayRating) / 2;
  let homeScore = Math.round(clamp(base + edge + half + rng.normal(0, 9), 72, 160));
  let awayScore = Math.round(clamp(base - edge - half + rng.normal(0, 9), 72, 160));
  let overtimes = 0;
  while (homeScore === awayScore) {
    overtimes += 1;
    homeScore += Math.round(clamp(rng.normal(10, 3), 2, 22));
    awayScore += Math.round(clamp(rng.normal(10, 3), 2, 22));
  }
  return { homeScore, awayScore, overtimes };
}
