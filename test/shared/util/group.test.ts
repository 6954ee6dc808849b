import assert from 'node:assert/strict';
import { appendTo } from '../../../shared/util/group.js';

describe('appendTo', () => {
  it('keeps each key\'s values in the order they came, in one list per key', () => {
    const groups = new Map<string, number[]>();
    for (const [key, value] of [['a', 1], ['b', 2], ['a', 3], ['a', 4], ['c', 5]] as const) appendTo(groups, key, value);
    assert.deepEqual([...groups], [['a', [1, 3, 4]], ['b', [2]], ['c', [5]]]);
  });

  it('groups 100,000 values under one key in linear time (a list copied on every value would take minutes)', () => {
    const groups = new Map<string, number[]>();
    for (let i = 0; i < 100_000; i += 1) appendTo(groups, 'k', i);
    const list = groups.get('k') ?? [];
    assert.equal(list.length, 100_000);
    assert.equal(list[99_999], 99_999);
  });
});
