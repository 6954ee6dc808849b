import assert from 'node:assert/strict';
import { CHUNK_STATES } from '../../../shared/chunks/chunk-state.js';
import { CELL_STATES, CHUNK_STATE_STYLES, STATE_STYLES, stateStyle } from '../../../shared/page/cell-states.js';
import { DATE_REASONS } from '../../../shared/verify/date-reason.js';

describe('cell states: one colour and one label for every state', () => {
  it('styles every reason of DATE_REASONS, whatever it holds when this runs', () => {
    for (const reason of DATE_REASONS) {
      const style = stateStyle(reason);
      assert.ok(style, `date reason ${reason} has no colour and label in STATE_STYLES (shared/page/cell-states.ts)`);
      assert.match(style.colour, /^#[0-9A-F]{6}$/, `${reason}'s colour`);
      assert.ok(style.label.trim().length > 0, `${reason}'s label`);
    }
  });

  it('lists complete, every date reason and in flight as the cell states, in legend order', () => {
    assert.deepEqual(CELL_STATES, ['complete', ...DATE_REASONS, 'in_flight']);
  });

  it('styles the reasons being added on main (stale, excluded) ahead of them', () => {
    assert.ok(stateStyle('stale'));
    assert.ok(stateStyle('excluded'));
    assert.equal(stateStyle('toString'), undefined, 'only own entries count');
  });

  it('never gives two states the same colour or the same label', () => {
    const styles = Object.values(STATE_STYLES);
    assert.equal(new Set(styles.map((s) => s.colour)).size, styles.length);
    assert.equal(new Set(styles.map((s) => s.label)).size, styles.length);
  });

  it('styles every chunk state of the progress bars', () => {
    for (const state of CHUNK_STATES) assert.ok(CHUNK_STATE_STYLES[state].label, state);
    assert.equal(CHUNK_STATE_STYLES.succeeded.colour, STATE_STYLES.complete.colour, 'a succeeded chunk looks like a complete date');
  });
});
