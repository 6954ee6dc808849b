import type { IsoDate } from '../shared/util/dates.js';
import { at, sum } from './arrays.js';
import { rotationMinutes, scoringWeight } from './box-score.js';
import type { SampleGame } from './game.js';
import type { Rng } from './prng.js';
import { rawTimestamp, type GameLineRow, type PlayerPropRow, type RawTimestamp } from './raw-rows.js';
import type { RosterPlayer } from './rosters.js';

export const BOOKMAKERS = ['draftkings', 'fanduel', 'betmgm'] as const;

/** Books do not post points props for deep-bench players, nor lines below this. */
const MIN_EXPECTED_POINTS = 4;
const MIN_POINTS_LINE = 2.5;

/** Lines are quoted in half points; a few props sit on a whole number, so a push can happen. */
function halfPoint(rng: Rng, value: number, wholeChance: number): number {
  return rng.chance(wholeChance) ? Math.max(1, Math.round(value)) : Math.max(0.5, Math.floor(value) + 0.5);
}

/** The two days before a game, when the books are scraped. */
export interface MarketDays {
  readonly dayBefore: IsoDate;
  readonly twoDaysBefore: IsoDate;
}

/** When the books were scraped: always twice the day before, sometimes also two days before and late the day before. */
function snapshotTimes(rng: Rng, days: MarketDays, extraLate: boolean): RawTimestamp[] {
  const before = days.dayBefore;
  const times = [rawTimestamp(before, 10), rawTimestamp(before, 18)];
  if (rng.chance(0.35)) times.unshift(rawTimestamp(days.twoDaysBefore, 18));
  if (extraLate && rng.chance(0.3)) times.push(rawTimestamp(before, 23));
  return times;
}

function bookmakers(rng: Rng): string[] {
  return rng.chance(0.35) ? [...BOOKMAKERS] : BOOKMAKERS.slice(0, 2);
}

export interface PropTeam {
  /** Players who played, in rotation order (the books know who is in the lineup). */
  readonly active: readonly RosterPlayer[];
  /** Points the books expect from the team. */
  readonly expectedPoints: number;
}

/** Points props for the 6-8 players a team expects the most points from (at least 4), a few snapshots and books each. */
export function playerProps(rng: Rng, game: SampleGame, days: MarketDays, teams: readonly PropTeam[]): PlayerPropRow[] {
  const times = snapshotTimes(rng, days, true);
  const books = bookmakers(rng);
  const rows: PlayerPropRow[] = [];
  for (const team of teams) {
    const weights = team.active.map((p, i) => rotationMinutes(i) * scoringWeight(p));
    const total = sum(weights);
    const expected = team.active
      .map((p, i) => ({ p, points: (team.expectedPoints * at(weights, i)) / total }))
      .sort((a, b) => b.points - a.points)
      .slice(0, rng.int(6, 8))
      .filter((e) => e.points >= MIN_EXPECTED_POINTS);
    for (const { p, points } of expected) {
      let line = Math.max(MIN_POINTS_LINE, halfPoint(rng, points * Math.exp(rng.normal(0, 0.08)), 0.1));
      for (const time of times) {
        for (const book of books) {
          const offset = rng.chance(0.2) ? rng.pick([-0.5, 0.5]) : 0;
          rows.push({ game_id: game.gameId, game_date: game.gameDate, player_lookup: p.player.lookup, bookmaker: book, points_line: Math.max(MIN_POINTS_LINE, line + offset), snapshot_timestamp: time });
        }
        line = Math.max(MIN_POINTS_LINE, line + rng.weighted([[-1, 0.05], [-0.5, 0.15], [0, 0.6], [0.5, 0.15], [1, 0.05]]));
      }
    }
  }
  return rows;
}

/** Spreads (home -x, away +x) and totals from the teams' ratings, moving a half point now and then. */
export function gameLines(rng: Rng, game: SampleGame, days: MarketDays, expectedMargin: number, expectedTotal: number): GameLineRow[] {
  const times = snapshotTimes(rng, days, false);
  const books = bookmakers(rng);
  let spread = halfPoint(rng, Math.abs(expectedMargin + rng.normal(0, 1.5)), 0.3) * (expectedMargin >= 0 ? -1 : 1);
  let total = halfPoint(rng, expectedTotal + rng.normal(0, 3), 0.2);
  const rows: GameLineRow[] = [];
  // Literal rows, not spreads of a shared base: V8 keeps them in fast mode, which matters at a million rows.
  const row = (bookmaker: string, market: GameLineRow['market'], team: string | null, point: number, time: RawTimestamp): GameLineRow => ({
    game_id: game.gameId, game_date: game.gameDate, bookmaker, market, team_abbr: team, point, snapshot_timestamp: time,
  });
  for (const time of times) {
    for (const book of books) {
      const homeSpread = spread + (rng.chance(0.2) ? rng.pick([-0.5, 0.5]) : 0);
      rows.push(row(book, 'spreads', game.home, homeSpread, time));
      rows.push(row(book, 'spreads', game.away, -homeSpread, time));
      rows.push(row(book, 'totals', null, total + (rng.chance(0.2) ? rng.pick([-0.5, 0.5]) : 0), time));
    }
    spread += rng.weighted([[-0.5, 0.15], [0, 0.7], [0.5, 0.15]]);
    total += rng.weighted([[-1, 0.1], [-0.5, 0.15], [0, 0.5], [0.5, 0.15], [1, 0.1]]);
  }
  return rows;
}
