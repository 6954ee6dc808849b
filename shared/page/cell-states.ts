import type { ChunkState } from '../chunks/chunk-state.js';
import { DATE_REASONS, type DateReason } from '../verify/date-reason.js';

/**
 * What one calendar cell (a table's game date in scope) shows: `complete` (the report's
 * completeDateList), one of the report's date reasons, or `in_flight` for a date not yet complete
 * whose chunk is queued or running now.
 */
export type CellState = 'complete' | DateReason | 'in_flight';

export interface StateStyle {
  /** Text shown beside the colour everywhere (legend, counts, details): the state never relies on colour alone. */
  readonly label: string;
  /** Fill, from the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies), greys and white. */
  readonly colour: string;
  /** Drawn with a dark outline (a white fill on a white page). */
  readonly outlined?: boolean;
}

/**
 * The one mapping from a state to its colour and label: the page's cells, legend and counts, its
 * stylesheet and the CLI's coverage strip all read it. Every date reason must have an entry (the
 * type checks DATE_REASONS; a unit test checks the list at run time too).
 */
export const STATE_STYLES: { readonly [S in CellState]: StateStyle } = {
  complete: { label: 'complete', colour: '#009E73' },
  no_source: { label: 'no source (raw data short)', colour: '#BBBBBB' },
  not_processed: { label: 'missing (not processed)', colour: '#F0E442' },
  failed: { label: 'failed', colour: '#D55E00' },
  dead: { label: 'dead', colour: '#000000' },
  partial: { label: 'partial (rows short)', colour: '#E69F00' },
  test_only: { label: 'test rows only', colour: '#CC79A7' },
  excess: { label: 'excess rows', colour: '#6F4E37' },
  stale: { label: 'stale (inputs changed)', colour: '#56B4E9' },
  excluded: { label: 'excluded', colour: '#FFFFFF', outlined: true },
  in_flight: { label: 'running / queued', colour: '#0072B2' },
};

/** Every state a cell can take, in legend order: complete, each date reason, in flight. */
export const CELL_STATES: readonly CellState[] = ['complete', ...DATE_REASONS, 'in_flight'];

export function stateStyle(state: string): StateStyle | undefined {
  return Object.hasOwn(STATE_STYLES, state) ? STATE_STYLES[state as keyof typeof STATE_STYLES] : undefined;
}

/** Chunk states in the runs' progress bars, with the same colours where they mean the same thing. */
export const CHUNK_STATE_STYLES: { readonly [S in ChunkState]: StateStyle } = {
  pending: { label: 'pending', colour: '#E4E4E4' },
  queued: { label: 'queued', colour: '#56B4E9' },
  running: { label: 'running', colour: STATE_STYLES.in_flight.colour },
  succeeded: { label: 'succeeded', colour: STATE_STYLES.complete.colour },
  no_source: { label: 'no source', colour: STATE_STYLES.no_source.colour },
  failed: { label: 'failed', colour: STATE_STYLES.failed.colour },
  dead: { label: 'dead', colour: STATE_STYLES.dead.colour },
};

/** Progress bar order: settled first (succeeded, no_source, dead), then what is left. */
export const BAR_ORDER: readonly ChunkState[] = ['succeeded', 'no_source', 'dead', 'failed', 'running', 'queued', 'pending'];
