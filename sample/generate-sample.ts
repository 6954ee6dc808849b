import { SEED_RANGE } from '../shared/config/defaults.js';
import { addDaysIso, isIsoDate, type IsoDate } from '../shared/util/dates.js';
import { at } from './arrays.js';
import { TeamAvailability } from './availability.js';
import type { SampleGame } from './game.js';
import { gameRecords } from './game-records.js';
import type { GameRecords } from './raw-rows.js';
import { buildRosters, type SeasonRosters } from './rosters.js';
import { planSeason } from './season-schedule.js';
import { SAMPLE_SEASONS, type SampleSeason } from './seasons.js';
import type { TeamAbbr } from './teams.js';

export const DEFAULT_SAMPLE_SEED = 20161025;

/** Four rounds of at most 12 + 2 days (the finals 17 + 2) end well within this. */
const MAX_PLAYOFF_DAYS = 90;

export interface SampleOptions {
  /** Any integer; the same seed gives the same rows, byte for byte. */
  readonly seed?: number;
  /** Game dates to emit (inclusive). Defaults to SEED_RANGE. */
  readonly start?: IsoDate;
  readonly end?: IsoDate;
}

export interface SamplePlan {
  readonly seed: number;
  readonly start: IsoDate;
  readonly end: IsoDate;
  /** Seasons with a game in [start, end]. */
  readonly seasons: readonly SampleSeason[];
  readonly rosters: ReadonlyMap<number, SeasonRosters>;
  /** Every game of those seasons (also those outside the range: injuries carry over), by date then id. */
  readonly games: readonly SampleGame[];
  /** How many of `games` fall in [start, end]. */
  readonly gamesInRange: number;
}

export function resolveSampleOptions(options: SampleOptions = {}): { seed: number; start: IsoDate; end: IsoDate } {
  const seed = options.seed ?? DEFAULT_SAMPLE_SEED;
  const start = options.start ?? SEED_RANGE.start;
  const end = options.end ?? SEED_RANGE.end;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!isIsoDate(start) || !isIsoDate(end)) throw new RangeError(`start and end must be YYYY-MM-DD dates, got ${start} and ${end}`);
  if (end < start) throw new RangeError(`end ${end} is before start ${start}`);
  return { seed, start, end };
}

/**
 * The games of the sample: rosters from the first season on (so a season looks the same whichever
 * range is asked for), then every season that overlaps the range, played out.
 */
export function planSample(options: SampleOptions = {}): SamplePlan {
  const { seed, start, end } = resolveSampleOptions(options);
  const first = at(SAMPLE_SEASONS, 0).seasonYear;
  const rosters = buildRosters(seed, first, at(SAMPLE_SEASONS, SAMPLE_SEASONS.length - 1).seasonYear);
  const seasons: SampleSeason[] = [];
  const games: SampleGame[] = [];
  for (const season of SAMPLE_SEASONS) {
    // A season's games depend only on its rosters, so one that cannot reach the range is not played out.
    if (season.regularStart > end || addDaysIso(season.playoffsStart, MAX_PLAYOFF_DAYS) < start) continue;
    const seasonRosters = rosters.get(season.seasonYear);
    if (!seasonRosters) throw new Error(`no rosters for ${season.seasonYear}`);
    const played = planSeason(seed, season, seasonRosters);
    const firstDate = at(played, 0).gameDate;
    const lastDate = at(played, played.length - 1).gameDate;
    if (lastDate < start || firstDate > end) continue;
    seasons.push(season);
    games.push(...played);
  }
  const gamesInRange = games.filter((g) => g.gameDate >= start && g.gameDate <= end).length;
  return { seed, start, end, seasons, rosters, games, gamesInRange };
}

export interface SampleGameRecords {
  readonly game: SampleGame;
  readonly records: GameRecords;
}

/**
 * The raw rows of every game in the plan's range, one game at a time, in date order, so a writer can
 * stream them. Availability walks every game of a touched season, in range or not, so a game's rows
 * do not depend on the range asked for.
 */
export function* sampleRecords(plan: SamplePlan): Generator<SampleGameRecords> {
  const seasonsByYear = new Map(plan.seasons.map((s) => [s.seasonYear, s]));
  const trackers = new Map<string, TeamAvailability>();
  const teamInput = (game: SampleGame, team: TeamAbbr) => {
    const roster = plan.rosters.get(game.seasonYear)?.get(team);
    if (!roster) throw new Error(`no ${game.seasonYear} roster for ${team}`);
    const key = `${game.seasonYear}:${team}`;
    let tracker = trackers.get(key);
    if (!tracker) {
      tracker = new TeamAvailability(plan.seed, team, game.seasonYear, roster.players);
      trackers.set(key, tracker);
    }
    return { roster, availability: tracker.next() };
  };
  for (const game of plan.games) {
    const home = teamInput(game, game.home);
    const away = teamInput(game, game.away);
    if (game.gameDate < plan.start || game.gameDate > plan.end) continue;
    const season = seasonsByYear.get(game.seasonYear) as SampleSeason;
    yield { game, records: gameRecords(plan.seed, season, game, home, away) };
  }
}
