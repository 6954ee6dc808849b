import { apportion, at, clamp, sum } from './arrays.js';
import type { Rng } from './prng.js';
import type { RosterPlayer } from './rosters.js';

/** One active player's line. `seconds` is his playing time. */
export interface PlayerLine {
  readonly seconds: number;
  readonly points: number;
  readonly fgMade: number;
  readonly fgAttempted: number;
  readonly threeMade: number;
  readonly threeAttempted: number;
  readonly ftMade: number;
  readonly ftAttempted: number;
  readonly offensiveRebounds: number;
  readonly defensiveRebounds: number;
  readonly assists: number;
  readonly steals: number;
  readonly blocks: number;
  readonly turnovers: number;
  readonly personalFouls: number;
  readonly plusMinus: number;
}

/** A rotation's usual minutes by place: five starters, then the bench. */
const ROTATION_MINUTES = [35, 34, 33, 31, 30, 24, 21, 18, 15, 12, 9, 6] as const;
export function rotationMinutes(place: number): number {
  return ROTATION_MINUTES[place] ?? 4;
}

/** How much of a team's scoring a player takes per minute. */
export function scoringWeight(p: RosterPlayer): number {
  return p.player.usage * Math.exp(0.35 * p.skill);
}

/** Cuts the geometric tail, so no line reads 4 of 40. */
const MAX_MISSES_A_MAKE = 5;

interface Shooting {
  fgMade: number;
  fgAttempted: number;
  threeMade: number;
  threeAttempted: number;
  ftMade: number;
  ftAttempted: number;
}

/** Makes that add up to exactly `points` (2 x FGM + 3PM + FTM), then misses around league rates. */
function shootingFor(rng: Rng, p: RosterPlayer, points: number, seconds: number): Shooting {
  // Misses before each make: geometric, so attempts come out at the shooter's rate on average.
  const misses = (made: number, rate: number) => {
    let n = 0;
    for (let i = 0; i < made; i += 1) n += Math.min(MAX_MISSES_A_MAKE, Math.floor(Math.log(1 - rng.next()) / Math.log(1 - rate)));
    return n;
  };
  const threeMade = Math.min(Math.floor(points / 3), Math.max(0, Math.round((points * p.player.threeShare) / 3 + rng.normal(0, 0.7))));
  const rest = points - 3 * threeMade;
  let ftMade = clamp(Math.round(rest * p.player.freeThrowShare + rng.normal(0, 0.8)), 0, rest);
  if ((rest - ftMade) % 2 === 1) ftMade += ftMade < rest ? 1 : -1;
  const twoMade = (rest - ftMade) / 2;
  const threeAttempted = threeMade + misses(threeMade, clamp(rng.normal(0.36, 0.05), 0.25, 0.5)) + (points === 0 && p.player.threeShare > 0.2 ? rng.int(0, 2) : 0);
  const twoAttempted = twoMade + misses(twoMade, clamp(rng.normal(0.52, 0.05), 0.38, 0.68)) + (points === 0 ? rng.int(0, Math.ceil(seconds / 600)) : 0);
  const ftAttempted = ftMade + misses(ftMade, clamp(rng.normal(0.78, 0.07), 0.5, 0.95));
  return { fgMade: twoMade + threeMade, fgAttempted: twoAttempted + threeAttempted, threeMade, threeAttempted, ftMade, ftAttempted };
}

/** Noisy shares: `base` times a log-normal factor. */
function noisy(rng: Rng, base: readonly number[], sd: number): number[] {
  return base.map((b) => b * Math.exp(rng.normal(0, sd)));
}

interface TeamShooting {
  readonly seconds: number[];
  readonly shooting: Shooting[];
}

function teamShooting(rng: Rng, active: readonly RosterPlayer[], points: number, gameMinutes: number, blowout: boolean): TeamShooting {
  const gameSeconds = gameMinutes * 60;
  const minuteWeights = active.map((_, i) => {
    const base = rotationMinutes(i) * (blowout ? (i < 5 ? 0.82 : 1.5) : 1);
    return Math.max(2, base + rng.normal(0, 3));
  });
  const seconds = apportion(5 * gameSeconds, minuteWeights, active.map(() => gameSeconds));
  const pointWeights = noisy(rng, active.map((p, i) => at(seconds, i) * scoringWeight(p)), 0.35);
  const pointsByPlayer = apportion(points, pointWeights);
  return { seconds, shooting: active.map((p, i) => shootingFor(rng, p, at(pointsByPlayer, i), at(seconds, i))) };
}

/**
 * Both teams' player lines for a game whose final score is fixed: minutes add up to five players for
 * the whole game, points to the team's score, rebounds follow the misses at both ends, and the
 * players' plus-minus add up to five times the margin.
 */
export function boxScores(
  rng: Rng,
  teams: readonly [{ active: readonly RosterPlayer[]; points: number }, { active: readonly RosterPlayer[]; points: number }],
  overtimes: number,
): [PlayerLine[], PlayerLine[]] {
  const gameMinutes = 48 + 5 * overtimes;
  const [a, b] = teams;
  const blowout = Math.abs(a.points - b.points) >= 20;
  const shots = [teamShooting(rng, a.active, a.points, gameMinutes, blowout), teamShooting(rng, b.active, b.points, gameMinutes, blowout)] as const;
  const missed = shots.map((t) => sum(t.shooting.map((s) => s.fgAttempted - s.fgMade)));
  const turnovers = shots.map(() => Math.round(clamp(rng.normal(14, 3.5), 4, 26)));
  return [0, 1].map((side) => {
    const other = 1 - side;
    const team = at(teams, side);
    const { seconds, shooting } = at(shots, side);
    const active = team.active;
    const byMinute = (trait: (p: RosterPlayer) => number, sd = 0.3) => noisy(rng, active.map((p, i) => at(seconds, i) * trait(p)), sd);
    const fgMade = sum(shooting.map((s) => s.fgMade));
    const oreb = apportion(Math.round(at(missed, side) * clamp(rng.normal(0.23, 0.04), 0.08, 0.4)), byMinute((p) => p.player.rebounding ** 1.5));
    const dreb = apportion(Math.round(at(missed, other) * clamp(rng.normal(0.74, 0.04), 0.6, 0.9)), byMinute((p) => p.player.rebounding));
    const ast = apportion(Math.min(fgMade, Math.round(fgMade * clamp(rng.normal(0.6, 0.06), 0.4, 0.8))), byMinute((p) => p.player.playmaking));
    const tov = apportion(at(turnovers, side), byMinute((p) => (p.player.usage + p.player.playmaking) / 2));
    const stl = apportion(Math.min(at(turnovers, other), Math.round(clamp(rng.normal(7.6, 2.6), 1, 18))), byMinute((p) => p.player.steals));
    const blk = apportion(Math.min(at(missed, other), Math.round(clamp(rng.normal(5, 2.2), 0, 14))), byMinute((p) => p.player.blocks));
    const pf = apportion(Math.round(clamp(rng.normal(20, 3.5), 9, 30)), byMinute((p) => p.player.fouling), active.map(() => 6));
    const plusMinus = plusMinusFor(rng, seconds, team.points - at(teams, other).points, gameMinutes * 60);
    return active.map((_, i): PlayerLine => {
      const s = at(shooting, i);
      return {
        seconds: at(seconds, i),
        points: 2 * s.fgMade + s.threeMade + s.ftMade,
        ...s,
        offensiveRebounds: at(oreb, i),
        defensiveRebounds: at(dreb, i),
        assists: at(ast, i),
        steals: at(stl, i),
        blocks: at(blk, i),
        turnovers: at(tov, i),
        personalFouls: at(pf, i),
        plusMinus: at(plusMinus, i),
      };
    });
  }) as [PlayerLine[], PlayerLine[]];
}

/** Each player's share of the margin for his minutes, with noise, adjusted to add up to 5 x margin. */
function plusMinusFor(rng: Rng, seconds: readonly number[], margin: number, gameSeconds: number): number[] {
  const values = seconds.map((s) => Math.round((margin * s) / gameSeconds + rng.normal(0, 4) * Math.sqrt(s / gameSeconds)));
  let residual = 5 * margin - sum(values);
  const order = seconds.map((s, i) => ({ s, i })).sort((x, y) => y.s - x.s || x.i - y.i).map(({ i }) => i);
  for (let k = 0; residual !== 0; k += 1) {
    const i = at(order, k % order.length);
    const step = Math.sign(residual);
    values[i] = at(values, i) + step;
    residual -= step;
  }
  return values;
}
