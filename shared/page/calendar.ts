import { IN_FLIGHT_STATES, isIn } from '../chunks/chunk-state.js';
import type { IsoDate } from '../util/dates.js';
import { diffDays } from '../util/dates.js';
import type { DateDetail } from '../verify/problems.js';
import type { TableReport } from '../verify/report-schema.js';
import { stateStyle, type CellState } from './cell-states.js';

/** One game date of one table, as its calendar cell shows it. */
export interface Cell {
  readonly date: IsoDate;
  readonly state: CellState;
  readonly rows: number;
  readonly expectedRows: number;
  /** Why, in a few words, for a date that is not complete: its chunk, short games, test rows. */
  readonly note: string | null;
}

/**
 * Every date of a table's calendar in scope with its state, in date order, from the report alone:
 * complete dates from `completeDateList`, the others from the `date_rows` problems, whatever their
 * reason (a reason added to DATE_REASONS shows up as it is). A date not yet complete whose chunk is
 * queued or running is `in_flight`.
 */
export function tableCells(table: TableReport): Cell[] {
  const cells: Cell[] = table.completeDateList.map((d) => ({ date: d.date, state: 'complete', rows: d.rows, expectedRows: d.expectedRows, note: null }));
  for (const problem of table.problems) {
    if (problem.kind !== 'date_rows') continue;
    for (const d of problem.dates) {
      const inFlight = d.chunk !== null && isIn(IN_FLIGHT_STATES, d.chunk.state);
      const until = inFlight ? `${stateStyle(problem.reason)?.label ?? problem.reason} until its chunk ends` : null;
      cells.push({ date: d.date, state: inFlight ? 'in_flight' : problem.reason, rows: d.rows, expectedRows: d.expectedRows, note: dateNote(d, until) });
    }
  }
  return cells.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

function dateNote(d: DateDetail, first: string | null): string | null {
  const parts: string[] = first ? [first] : [];
  if (d.sourceShortGames > 0) parts.push(`${d.sourceShortGames} game${d.sourceShortGames === 1 ? '' : 's'} with short raw data`);
  if (d.testRows) parts.push(`${d.testRows} rows in the test dataset`);
  if (d.chunk) {
    const attempts = d.chunk.attempts > 0 ? `, ${d.chunk.attempts} failed attempt${d.chunk.attempts === 1 ? '' : 's'}` : '';
    parts.push(`chunk ${d.chunk.state}${attempts}${d.chunk.lastError ? `: ${d.chunk.lastError}` : ''}`);
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

export interface SeasonRow {
  /** `2017-18`. */
  readonly season: string;
  readonly cells: readonly Cell[];
}

/** An off-season is a gap this long that ends in the autumn; the 2020 hiatus (March to July) is not one. */
const OFF_SEASON_GAP_DAYS = 60;
/** A gap this long spans an off-season wherever it ends (a scope with holes, data missing for years). */
const SEASONS_APART_DAYS = 200;

/**
 * Cells as seasons, one row each: a new season starts after a gap of more than two months that ends
 * between September and December, or after any gap long enough to hold an off-season. Named by the
 * year it started in (`2017-18`), from its first date: a range that starts in April 2018 begins with
 * season 2017-18.
 */
export function seasonRows(cells: readonly Cell[]): SeasonRow[] {
  const rows: Cell[][] = [];
  let previous: IsoDate | null = null;
  for (const cell of cells) {
    const month = Number(cell.date.slice(5, 7));
    const gap = previous === null ? Infinity : diffDays(cell.date, previous);
    const newSeason = gap > SEASONS_APART_DAYS || (gap > OFF_SEASON_GAP_DAYS && month >= 9);
    if (newSeason) rows.push([]);
    rows[rows.length - 1]?.push(cell);
    previous = cell.date;
  }
  return rows.map((row) => ({ season: seasonName(row[0]?.date ?? ''), cells: row }));
}

export function seasonName(date: IsoDate): string {
  const year = Number(date.slice(0, 4));
  const start = Number(date.slice(5, 7)) >= 9 ? year : year - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

/** Cells per state, for the counts beside a calendar. */
export function countStates(cells: readonly Cell[]): Map<CellState, number> {
  const counts = new Map<CellState, number>();
  for (const c of cells) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  return counts;
}
