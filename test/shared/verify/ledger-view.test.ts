import assert from 'node:assert/strict';
import { activeRunsFor, buildLedgerView } from '../../../shared/verify/ledger-view.js';
import { chunk, run } from './ledger-fixtures.js';

const T = 'player_game_summary';
const scope = { start: '2021-11-01', end: '2021-11-30', mode: 'production' } as const;

describe('ledger view', () => {
  it('ignores active runs of the other mode, other tables and other date ranges', () => {
    const runs = [
      run('prod', 'active', { tables: [T], start: '2021-11-15', end: '2021-12-31', mode: 'production' }),
      run('test', 'active', { tables: [T], start: '2021-11-01', end: '2021-11-01', mode: 'test' }),
      run('other-table', 'active', { tables: ['team_offense_game_summary'], start: '2021-11-01', end: '2021-11-30', mode: 'production' }),
      run('later', 'active', { tables: [T], start: '2022-01-01', end: '2022-01-31', mode: 'production' }),
      run('done', 'succeeded', { tables: [T], start: '2021-11-01', end: '2021-11-30', mode: 'production' }),
    ];
    assert.deepEqual(activeRunsFor(runs, T, scope).map((r) => r.id), ['prod']);
  });

  it('counts in flight only non-terminal chunks in scope that belong to an active run', () => {
    const active = [run('prod', 'active', { tables: [T], start: '2021-11-01', end: '2021-11-30', mode: 'production' })];
    const view = buildLedgerView(
      [
        chunk(T, '2021-11-01', 'queued', { runIds: ['prod'] }),
        chunk(T, '2021-11-02', 'failed', { runIds: ['prod'] }),
        chunk(T, '2021-11-03', 'succeeded', { runIds: ['prod'] }),
        chunk(T, '2021-11-04', 'pending', { runIds: ['old-cancelled'] }),
        chunk(T, '2021-12-01', 'queued', { runIds: ['prod'] }),
        chunk(T, '2021-11-05', 'running', { runIds: ['prod'], mode: 'test' }),
      ],
      active,
      scope,
    );
    assert.equal(view.inFlightChunks, 2);
    assert.deepEqual(view.activeRunIds, ['prod']);
    assert.equal(view.chunksByState.pending, 1);
    assert.equal(view.chunksByState.running, 0);
    assert.equal(view.chunksByDate.has('2021-12-01'), false);
  });
});
