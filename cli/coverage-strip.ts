import { countStates, seasonRows, tableCells, type Cell } from '../shared/page/calendar.js';
import { CELL_STATES, STATE_STYLES, type CellState } from '../shared/page/cell-states.js';
import type { VerificationReport } from '../shared/verify/report-schema.js';

const BLOCK = '\u2588';

function ansi(hex: string, text: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `\u001b[38;2;${r};${g};${b}m${text}\u001b[0m`;
}

/** The state most dates of a stretch have; on a tie, the later in CELL_STATES (a problem over complete). */
function mostOf(cells: readonly Cell[]): CellState {
  const counts = countStates(cells);
  let best: CellState = 'complete';
  let bestCount = -1;
  for (const state of CELL_STATES) {
    const n = counts.get(state) ?? 0;
    if (n > 0 && n >= bestCount) [best, bestCount] = [state, n];
  }
  return best;
}

/**
 * The status page's calendars for a terminal: per table one coloured line per season, one character
 * per game date when the terminal is wide enough (else per few dates, showing the state most of them
 * have), and the dates per state in words. Colours are the page's (STATE_STYLES); for a TTY only.
 */
export function coverageStrips(report: VerificationReport, columns: number): string {
  const tables = report.tables.map((t) => ({ table: t, cells: tableCells(t) })).filter((t) => t.cells.length > 0);
  const rows = tables.map((t) => seasonRows(t.cells));
  const longest = Math.max(1, ...rows.flat().map((r) => r.cells.length));
  const width = Math.max(20, columns - 12);
  const perChar = Math.ceil(longest / width);
  const lines = [`Coverage by game date, seasons as rows (${perChar === 1 ? 'one character a date' : `one character per ${perChar} dates: the state most of them have`}):`];
  tables.forEach(({ table, cells }, i) => {
    lines.push('', `${table.table}  ${table.status}  ${table.coveragePct === null ? 'n/a' : `${table.coveragePct}%`}`);
    for (const row of rows[i] ?? []) {
      let strip = '';
      for (let at = 0; at < row.cells.length; at += perChar) strip += ansi(STATE_STYLES[mostOf(row.cells.slice(at, at + perChar))].colour, BLOCK);
      lines.push(`  ${row.season}  ${strip}`);
    }
    const counts = countStates(cells);
    lines.push(`  ${CELL_STATES.filter((s) => counts.has(s)).map((s) => `${ansi(STATE_STYLES[s].colour, BLOCK)} ${STATE_STYLES[s].label} ${counts.get(s) ?? 0}`).join('   ')}`);
  });
  return `${lines.join('\n')}\n`;
}
