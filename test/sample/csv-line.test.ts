import assert from 'node:assert/strict';
import { csvField, csvLine } from '../../sample/csv-line.js';

describe('csvLine', () => {
  it('writes NULL as an empty field and booleans as true/false', () => {
    assert.equal(csvLine(['a', 'b', 'c', 'd'], { a: 'x', b: null, c: true, d: false }), 'x,,true,false');
  });

  it('writes numbers plainly, halves included', () => {
    assert.equal(csvLine(['a', 'b', 'c'], { a: 18.5, b: -4.5, c: 0 }), '18.5,-4.5,0');
  });

  it('quotes a field holding a comma, a quote or a line break', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField("DNP - Coach's Decision"), "DNP - Coach's Decision");
  });

  it('follows the column order, not the object order', () => {
    assert.equal(csvLine(['b', 'a'], { a: 1, b: 2 }), '2,1');
  });

  it('refuses a missing column, an empty string and a non-finite number', () => {
    assert.throws(() => csvLine(['a', 'b'], { a: 1 }), /no column b/);
    assert.throws(() => csvField(''), RangeError);
    assert.throws(() => csvField(Number.NaN), RangeError);
  });
});
