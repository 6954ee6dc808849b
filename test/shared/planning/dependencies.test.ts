import assert from 'node:assert/strict';
import { findBlocker } from '../../../shared/planning/dependencies.js';
import { TABLE_SPECS } from '../../../shared/tables/registry.js';
import type { AnalyticsTableSpec } from '../../../shared/tables/types.js';

describe('dependency order', () => {
  const context = TABLE_SPECS.upcoming_player_game_context;

  it('holds a context chunk while an earlier upstream date of the run is not done', () => {
    const notDone = new Map([['player_game_summary' as const, ['2021-11-10', '2021-11-20']]]);
    assert.deepEqual(findBlocker(context, '2021-11-15', notDone), { table: 'player_game_summary', gameDate: '2021-11-10' });
  });

  it('lets it run when only later or same-day upstream dates are pending (it reads strictly earlier dates)', () => {
    const notDone = new Map([['player_game_summary' as const, ['2021-11-15', '2021-11-20']]]);
    assert.equal(findBlocker(context, '2021-11-15', notDone), null);
  });

  it('never holds a table without upstream analytics tables', () => {
    const notDone = new Map([['player_game_summary' as const, ['2021-11-01']]]);
    assert.equal(findBlocker(TABLE_SPECS.team_offense_game_summary, '2021-11-15', notDone), null);
  });

  it('respects a bounded lookback and same-date reads', () => {
    const spec = { ...context, upstream: [{ table: 'team_offense_game_summary', lookbackDays: 7, sameDate: true, columns: ['game_id'] }] } as AnalyticsTableSpec;
    const at = (dates: string[]) => findBlocker(spec, '2021-11-15', new Map([['team_offense_game_summary' as const, dates]]));
    assert.equal(at(['2021-11-07']), null, 'eight days back is outside a 7-day lookback');
    assert.deepEqual(at(['2021-11-08']), { table: 'team_offense_game_summary', gameDate: '2021-11-08' });
    assert.deepEqual(at(['2021-11-15']), { table: 'team_offense_game_summary', gameDate: '2021-11-15' });
    assert.equal(at(['2021-11-16']), null);
  });

  it('declares what the contract implies: context reads player and defense history', () => {
    assert.deepEqual(context.upstream.map((u) => u.table).sort(), ['player_game_summary', 'team_defense_game_summary']);
    assert.ok(context.upstream.every((u) => u.lookbackDays === 'all' && !u.sameDate));
  });
});
