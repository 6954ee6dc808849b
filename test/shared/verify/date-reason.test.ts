import assert from 'node:assert/strict';
import { classifyDate, type DateFacts } from '../../../shared/verify/date-reason.js';

const facts = (over: Partial<DateFacts>): DateFacts => ({
  expectedRows: 20,
  rows: 20,
  sourceShortGames: 0,
  testRows: 0,
  chunkState: 'succeeded',
  tolerance: 0,
  stale: false,
  excluded: false,
  ...over,
});

describe('classifyDate', () => {
  it('calls a date with the expected rows built from inputs that changed stale, never complete', () => {
    assert.equal(classifyDate(facts({ stale: true })), 'stale');
    assert.equal(classifyDate(facts({ stale: true, rows: 19 })), 'partial', 'a short date is partial first');
    assert.equal(classifyDate(facts({ stale: true, sourceShortGames: 1 })), 'no_source', 'short raw data says why first');
  });

  it('finds nothing wrong with a date holding exactly the expected rows', () => {
    assert.equal(classifyDate(facts({})), null);
  });

  it('calls a date with short raw data no_source even when the chunk succeeded and the rows match', () => {
    assert.equal(classifyDate(facts({ sourceShortGames: 1 })), 'no_source');
  });

  it('calls more rows than expected excess, whatever the ledger says', () => {
    assert.equal(classifyDate(facts({ rows: 21, chunkState: 'failed' })), 'excess');
    assert.equal(classifyDate(facts({ rows: 21, sourceShortGames: 2 })), 'excess');
  });

  it('explains a missing date by its dead or failed chunk', () => {
    assert.equal(classifyDate(facts({ rows: 0, chunkState: 'dead' })), 'dead');
    assert.equal(classifyDate(facts({ rows: 0, chunkState: 'failed' })), 'failed');
  });

  it('calls a short date partial when its chunk claims success', () => {
    assert.equal(classifyDate(facts({ rows: 0, chunkState: 'succeeded' })), 'partial');
    assert.equal(classifyDate(facts({ rows: 12, chunkState: 'no_source' })), 'partial');
  });

  it('calls a missing date not_processed when no chunk ran or there is no ledger', () => {
    assert.equal(classifyDate(facts({ rows: 0, chunkState: 'pending' })), 'not_processed');
    assert.equal(classifyDate(facts({ rows: 0, chunkState: 'running' })), 'not_processed');
    assert.equal(classifyDate(facts({ rows: 0, chunkState: null })), 'not_processed');
  });

  it('calls a missing date test_only when only the test dataset holds it', () => {
    assert.equal(classifyDate(facts({ rows: 0, chunkState: null, testRows: 20 })), 'test_only');
  });

  it('never lets test rows make a production date complete', () => {
    assert.notEqual(classifyDate(facts({ rows: 0, chunkState: 'succeeded', testRows: 20 })), null);
  });

  it('accepts a shortfall within tolerance and nothing beyond it', () => {
    assert.equal(classifyDate(facts({ expectedRows: 100, rows: 99, tolerance: 0.01 })), null);
    assert.equal(classifyDate(facts({ expectedRows: 100, rows: 98, tolerance: 0.01 })), 'partial');
    assert.equal(classifyDate(facts({ expectedRows: 100, rows: 99, tolerance: 0 })), 'partial');
  });
});
