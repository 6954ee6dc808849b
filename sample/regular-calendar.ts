import { addDaysIso, diffDays, eachDate, type IsoDate } from '../shared/util/dates.js';
import { at, clamp } from './arrays.js';
import type { Matchup } from './matchups.js';
import type { Rng } from './prng.js';
import type { SampleSeason } from './seasons.js';
import { TEAM_ABBRS, type TeamAbbr } from './teams.js';

export interface DatedMatchup extends Matchup {
  readonly date: IsoDate;
}

/** Thanksgiving: the fourth Thursday of November. */
function thanksgiving(year: number): IsoDate {
  const first = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  const firstThursday = 1 + ((4 - first + 7) % 7);
  return `${year}-11-${String(firstThursday + 21).padStart(2, '0')}`;
}

/** Days of the planned regular season with games: not Thanksgiving, Christmas Eve, the All-Star break or the Cup final. */
export function playableDates(season: SampleSeason): IsoDate[] {
  const off = new Set<IsoDate>([thanksgiving(season.seasonYear), `${season.seasonYear}-12-24`]);
  for (const d of eachDate(season.allStarBreak.start, season.allStarBreak.end)) off.add(d);
  if (season.cupFinal) off.add(season.cupFinal);
  return eachDate(season.regularStart, season.regularEnd).filter((d) => !off.has(d));
}

/** Relative number of games by weekday, Sunday first: busy Wednesdays and Fridays, light Thursdays. */
const WEEKDAY_LOAD = [0.85, 0.85, 1.0, 1.3, 0.7, 1.2, 1.1] as const;
const BACK_TO_BACK_PENALTY = 0.12;
const REMATCH_PENALTY = 0.6;
const REMATCH_DAYS = 7;
/** A team that must play on more than this share of the remaining days plays whenever it can. */
const URGENT_LOAD = 0.55;
const MAX_GAMES_A_DAY = TEAM_ABBRS.length / 2;

interface TeamState {
  remaining: number;
  last: number;
  beforeLast: number;
}

function pairKey(m: Matchup): string {
  return m.home < m.away ? `${m.home}-${m.away}` : `${m.away}-${m.home}`;
}

function dayTarget(rng: Rng, date: IsoDate, index: number, days: number, pending: number): number {
  if (index === days - 1) return MAX_GAMES_A_DAY;
  if (index === 0) return rng.int(2, 3);
  if (date.endsWith('-12-25')) return 5;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  const base = (pending / (days - index)) * at(WEEKDAY_LOAD, weekday) * (0.85 + 0.3 * rng.next());
  return clamp(Math.round(base), 1, MAX_GAMES_A_DAY);
}

/**
 * Put every matchup on one of `dates`, day by day: no team twice a day, never three days in a row,
 * back-to-backs and quick rematches discouraged, and teams behind their pace served first.
 */
export function assignDates(rng: Rng, matchups: readonly Matchup[], dates: readonly IsoDate[]): DatedMatchup[] {
  const first = at(dates, 0);
  const dayNumbers = dates.map((d) => diffDays(d, first));
  const teams = new Map<TeamAbbr, TeamState>(TEAM_ABBRS.map((t) => [t, { remaining: 0, last: -99, beforeLast: -99 }]));
  const state = (t: TeamAbbr) => teams.get(t) as TeamState;
  for (const m of matchups) {
    state(m.home).remaining += 1;
    state(m.away).remaining += 1;
  }
  const lastMet = new Map<string, number>();
  let pending = [...matchups];
  const dated: DatedMatchup[] = [];

  const canPlay = (t: TeamAbbr, day: number) => {
    const s = state(t);
    return s.last !== day && !(s.last === day - 1 && s.beforeLast === day - 2);
  };
  const play = (m: Matchup, date: IsoDate, day: number) => {
    for (const t of [m.home, m.away]) {
      const s = state(t);
      s.beforeLast = s.last;
      s.last = day;
      s.remaining -= 1;
    }
    lastMet.set(pairKey(m), day);
    dated.push({ ...m, date });
  };

  dates.forEach((date, index) => {
    const day = at(dayNumbers, index);
    const daysLeft = dates.length - index;
    const load = (t: TeamAbbr) => state(t).remaining / daysLeft;
    const target = dayTarget(rng, date, index, dates.length, pending.length);
    const scored = pending
      .filter((m) => canPlay(m.home, day) && canPlay(m.away, day))
      .map((m) => {
        let score = load(m.home) + load(m.away) + 0.25 * rng.next();
        if (state(m.home).last === day - 1) score -= BACK_TO_BACK_PENALTY;
        if (state(m.away).last === day - 1) score -= BACK_TO_BACK_PENALTY;
        if ((lastMet.get(pairKey(m)) ?? -99) > day - REMATCH_DAYS) score -= REMATCH_PENALTY;
        return { m, score, urgent: load(m.home) > URGENT_LOAD || load(m.away) > URGENT_LOAD };
      })
      .sort((a, b) => b.score - a.score);
    const busy = new Set<TeamAbbr>();
    const chosen = new Set<Matchup>();
    for (const { m, urgent } of scored) {
      if (chosen.size >= target && !urgent) continue;
      if (busy.has(m.home) || busy.has(m.away)) continue;
      busy.add(m.home);
      busy.add(m.away);
      chosen.add(m);
    }
    for (const m of chosen) play(m, date, day);
    pending = pending.filter((m) => !chosen.has(m));
  });

  for (const m of pending) dated.push({ ...m, date: repairDate(m, dated, dates) });
  return dated;
}

/** A day for a game the greedy pass could not fit: the latest one both teams have free, avoiding three in a row. */
function repairDate(m: Matchup, dated: readonly DatedMatchup[], dates: readonly IsoDate[]): IsoDate {
  const busy = (t: TeamAbbr) => new Set(dated.filter((g) => g.home === t || g.away === t).map((g) => g.date));
  const home = busy(m.home);
  const away = busy(m.away);
  const threeInARow = (days: Set<IsoDate>, d: IsoDate) => {
    const has = (offset: number) => offset === 0 || days.has(addDaysIso(d, offset));
    return (has(-2) && has(-1)) || (has(-1) && has(1)) || (has(1) && has(2));
  };
  for (const strict of [true, false]) {
    for (let i = dates.length - 1; i >= 0; i -= 1) {
      const d = at(dates, i);
      if (home.has(d) || away.has(d)) continue;
      if (strict && (threeInARow(home, d) || threeInARow(away, d))) continue;
      return d;
    }
  }
  throw new Error(`no free date for ${m.away} at ${m.home}`);
}
