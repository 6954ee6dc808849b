import assert from 'node:assert/strict';
import { jobLabels, labelKey, labelValue, MAX_LABEL_LENGTH } from '../../../adapters/bigquery/job-labels.js';

const VALID_VALUE = /^[a-z0-9_-]{0,63}$/;

describe('job labels', () => {
  it('lowercases a run id and replaces characters BigQuery does not allow', () => {
    assert.equal(labelValue('Run-2024-06-30T12:00:00Z/é'), 'run-2024-06-30t12_00_00z__');
  });

  it('cuts a long value to 63 characters and keeps two long run ids distinct', () => {
    const a = labelValue(`backfill-${'x'.repeat(80)}-a`);
    const b = labelValue(`backfill-${'x'.repeat(80)}-b`);
    assert.equal(a.length, MAX_LABEL_LENGTH);
    assert.match(a, VALID_VALUE);
    assert.notEqual(a, b);
  });

  it('starts every key with a lowercase letter', () => {
    assert.equal(labelKey('Run_ID'), 'run_id');
    assert.equal(labelKey('2nd'), 'l_2nd');
    assert.equal(labelKey(''), 'l_');
  });

  it('merges label sets, the later one winning, all sanitised', () => {
    assert.deepEqual(
      jobLabels({ App: 'NBA Backfill', mode: 'production' }, { mode: 'test', run_id: 'R1' }),
      { app: 'nba_backfill', mode: 'test', run_id: 'r1' },
    );
  });

  it('keeps at most 64 labels', () => {
    const many = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, 'v']));
    assert.equal(Object.keys(jobLabels(many)).length, 64);
  });
});
