import assert from 'node:assert/strict';
import type { Problem } from '../../../shared/verify/problems.js';
import { decideOverall, decideTableStatus } from '../../../shared/verify/table-status.js';

const gap = (reason: 'not_processed' | 'no_source' | 'test_only'): Problem => ({
  kind: 'date_rows',
  reason,
  expectedRows: 10,
  rows: 0,
  dates: [{ date: '2021-11-01', expectedRows: 10, rows: 0, sourceShortGames: 0, testRows: 0, chunk: null }],
  ranges: [{ start: '2021-11-01', end: '2021-11-01', dates: 1 }],
});
const duplicate: Problem = { kind: 'duplicate_keys', keys: 1, extraRows: 1, sample: [{ game_id: '0022100001', team_abbr: 'LAL' }] };

describe('decideTableStatus', () => {
  it('is COMPLETE only when there is no problem at all', () => {
    assert.equal(decideTableStatus({ problems: [], rows: 10, testRows: 0, inFlightChunks: 0 }).status, 'COMPLETE');
  });

  it('is FAILED on wrong data, even while a run is active and dates are missing', () => {
    const decision = decideTableStatus({ problems: [gap('not_processed'), duplicate], rows: 10, testRows: 0, inFlightChunks: 3 });
    assert.equal(decision.status, 'FAILED');
    assert.match(decision.reason, /1 duplicated key/);
  });

  it('is IN_PROGRESS while an active run has chunks in flight and nothing is wrong', () => {
    assert.equal(decideTableStatus({ problems: [gap('not_processed')], rows: 10, testRows: 0, inFlightChunks: 2 }).status, 'IN_PROGRESS');
  });

  it('is TEST_ONLY when production is empty and the test dataset has rows', () => {
    assert.equal(decideTableStatus({ problems: [gap('test_only')], rows: 0, testRows: 10, inFlightChunks: 0 }).status, 'TEST_ONLY');
  });

  it('is INCOMPLETE when only no_source dates keep it from complete', () => {
    const decision = decideTableStatus({ problems: [gap('no_source')], rows: 10, testRows: null, inFlightChunks: 0 });
    assert.equal(decision.status, 'INCOMPLETE');
    assert.match(decision.reason, /no_source/);
  });

  it('counts excess rows as wrong data', () => {
    const excess: Problem = { ...gap('not_processed'), reason: 'excess' } as Problem;
    assert.equal(decideTableStatus({ problems: [excess], rows: 10, testRows: 0, inFlightChunks: 0 }).status, 'FAILED');
  });
});

describe('decideOverall', () => {
  it('says how many tables are complete and takes the worst status', () => {
    const overall = decideOverall(['COMPLETE', 'INCOMPLETE', 'INCOMPLETE', 'TEST_ONLY', 'IN_PROGRESS']);
    assert.equal(overall.line, '1/5 tables complete (20%)');
    assert.equal(overall.status, 'IN_PROGRESS');
  });

  it('is FAILED when any table failed and COMPLETE only when all are', () => {
    assert.equal(decideOverall(['COMPLETE', 'FAILED']).status, 'FAILED');
    assert.equal(decideOverall(['COMPLETE', 'COMPLETE']).status, 'COMPLETE');
    assert.equal(decideOverall(['COMPLETE', 'TEST_ONLY']).status, 'INCOMPLETE');
  });

  it('never rounds a partial share up to 100%', () => {
    assert.equal(decideOverall([...Array<'COMPLETE'>(199).fill('COMPLETE'), 'INCOMPLETE']).completePct, 99);
  });
});
