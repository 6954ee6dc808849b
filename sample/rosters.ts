import { at, clamp, sum } from './arrays.js';
import { newPlayerName } from './player-names.js';
import { Rng } from './prng.js';
import { TEAM_ABBRS, type TeamAbbr } from './teams.js';

export const ROSTER_SIZE = 15;

export const POSITIONS = ['guard', 'wing', 'big'] as const;
export type Position = (typeof POSITIONS)[number];

/** A player's lasting traits: how he scores and what else he does per minute, relative to an average player. */
export interface SamplePlayer {
  readonly lookup: string;
  readonly name: string;
  readonly position: Position;
  /** Share of his points that come from threes, and from free throws. */
  readonly threeShare: number;
  readonly freeThrowShare: number;
  readonly usage: number;
  readonly rebounding: number;
  readonly playmaking: number;
  readonly steals: number;
  readonly blocks: number;
  readonly fouling: number;
}

export interface RosterPlayer {
  readonly player: SamplePlayer;
  /** This season's ability (a standard normal across the league); the rotation follows it. */
  readonly skill: number;
}

export interface TeamSeasonRoster {
  readonly team: TeamAbbr;
  readonly seasonYear: number;
  /** ROSTER_SIZE players, best first: the coach's rotation order. */
  readonly players: readonly RosterPlayer[];
  /** Strength in points per game over an average team, from the roster's top eight. */
  readonly rating: number;
}

export type SeasonRosters = ReadonlyMap<TeamAbbr, TeamSeasonRoster>;

interface Career {
  readonly player: SamplePlayer;
  skill: number;
  age: number;
}

const ROLE: Record<Position, { three: number; reb: number; ast: number; stl: number; blk: number; pf: number }> = {
  guard: { three: 0.38, reb: 0.7, ast: 1.8, stl: 1.2, blk: 0.35, pf: 0.9 },
  wing: { three: 0.33, reb: 1.0, ast: 1.0, stl: 1.1, blk: 0.8, pf: 1.0 },
  big: { three: 0.1, reb: 1.9, ast: 0.6, stl: 0.8, blk: 2.5, pf: 1.3 },
};

function newCareer(rng: Rng, taken: Set<string>, rookie: boolean): Career {
  const { name, lookup } = newPlayerName(rng, taken);
  const position = rng.weighted<Position>([['guard', 0.4], ['wing', 0.35], ['big', 0.25]]);
  const role = ROLE[position];
  const around = (mean: number, sd: number, min: number, max: number) => clamp(rng.normal(mean, sd), min, max);
  const player: SamplePlayer = {
    lookup,
    name,
    position,
    threeShare: around(role.three, 0.08, 0, 0.55),
    freeThrowShare: around(0.155, 0.045, 0.05, 0.32),
    usage: around(1, 0.2, 0.5, 1.6),
    rebounding: role.reb * around(1, 0.15, 0.5, 1.6),
    playmaking: role.ast * around(1, 0.2, 0.4, 1.8),
    steals: role.stl * around(1, 0.15, 0.5, 1.6),
    blocks: role.blk * around(1, 0.25, 0.3, 2),
    fouling: role.pf * around(1, 0.15, 0.6, 1.5),
  };
  return rookie
    ? { player, skill: rng.normal(-0.6, 0.8), age: rng.int(19, 22) }
    : { player, skill: rng.normal(0, 1), age: rng.int(20, 34) };
}

function age(rng: Rng, career: Career): void {
  career.age += 1;
  const growth = career.age < 24 ? rng.normal(0.25, 0.2) : career.age < 30 ? rng.normal(0.03, 0.15) : rng.normal(-0.2, 0.2);
  career.skill += growth;
}

function retires(rng: Rng, career: Career): boolean {
  if (career.age >= 36) return rng.chance(0.7);
  if (career.age >= 33) return rng.chance(0.25);
  return career.skill < -1.6 && rng.chance(0.35);
}

function bySkill(a: Career, b: Career): number {
  return b.skill - a.skill || (a.player.lookup < b.player.lookup ? -1 : 1);
}

/** The offseason: aging, retirements, departures, two draft picks a team, then free agents fill the rosters. */
function offseason(rng: Rng, teams: Map<TeamAbbr, Career[]>, pool: Career[], taken: Set<string>): Career[] {
  let freeAgents = pool.filter((c) => {
    age(rng, c);
    return !retires(rng, c);
  });
  for (const team of TEAM_ABBRS) {
    const kept: Career[] = [];
    for (const career of teams.get(team) ?? []) {
      age(rng, career);
      if (retires(rng, career)) continue;
      if (rng.chance(0.27)) freeAgents.push(career);
      else kept.push(career);
    }
    kept.sort(bySkill);
    const picks = rng.int(1, 2);
    for (let pick = 0; pick < picks; pick += 1) {
      if (kept.length >= ROSTER_SIZE) freeAgents.push(kept.pop() as Career);
      kept.push(newCareer(rng, taken, true));
    }
    teams.set(team, kept);
  }
  // Better free agents sign first, each with a random team that has room.
  freeAgents = freeAgents
    .map((c) => ({ c, key: c.skill + rng.normal(0, 0.5) }))
    .sort((a, b) => b.key - a.key || (a.c.player.lookup < b.c.player.lookup ? -1 : 1))
    .map(({ c }) => c);
  const unsigned: Career[] = [];
  for (const career of freeAgents) {
    const open = TEAM_ABBRS.filter((t) => (teams.get(t)?.length ?? 0) < ROSTER_SIZE);
    if (open.length === 0) {
      unsigned.push(career);
      continue;
    }
    teams.get(rng.pick(open))?.push(career);
  }
  for (const team of TEAM_ABBRS) {
    const roster = teams.get(team) ?? [];
    while (roster.length < ROSTER_SIZE) roster.push(newCareer(rng, taken, true));
    teams.set(team, roster);
  }
  return unsigned;
}

function snapshot(rng: Rng, teams: Map<TeamAbbr, Career[]>, seasonYear: number): Map<TeamAbbr, TeamSeasonRoster> {
  const topEight = (careers: Career[]) => sum([...careers].sort(bySkill).slice(0, 8).map((c) => c.skill)) / 8;
  const strengths = TEAM_ABBRS.map((t) => topEight(teams.get(t) ?? []));
  const leagueMean = sum(strengths) / strengths.length;
  const rosters = new Map<TeamAbbr, TeamSeasonRoster>();
  TEAM_ABBRS.forEach((team, i) => {
    const careers = [...(teams.get(team) ?? [])].sort(bySkill);
    rosters.set(team, {
      team,
      seasonYear,
      players: careers.map((c) => ({ player: c.player, skill: c.skill })),
      rating: 12 * (at(strengths, i) - leagueMean) + rng.normal(0, 1.5),
    });
  });
  return rosters;
}

/**
 * The rosters of every season from `firstSeason` through `lastSeason`. The league always starts at
 * `firstSeason` from the same seed, so a season's rosters do not depend on which seasons are asked for.
 */
export function buildRosters(seed: number, firstSeason: number, lastSeason: number): Map<number, SeasonRosters> {
  const rng = Rng.for(seed, 'rosters');
  const taken = new Set<string>();
  const teams = new Map<TeamAbbr, Career[]>();
  for (const team of TEAM_ABBRS) {
    teams.set(team, Array.from({ length: ROSTER_SIZE }, () => newCareer(rng, taken, false)));
  }
  let pool: Career[] = [];
  const bySeason = new Map<number, SeasonRosters>();
  for (let year = firstSeason; year <= lastSeason; year += 1) {
    if (year > firstSeason) pool = offseason(rng, teams, pool, taken);
    bySeason.set(year, snapshot(rng, teams, year));
  }
  return bySeason;
}
