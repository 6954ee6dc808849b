import assert from 'node:assert/strict';
import { renderMarkdown } from '../../../shared/verify/render-markdown.js';
import { sampleReport } from './report-fixture.js';

describe('renderMarkdown', () => {
  const md = renderMarkdown(sampleReport());

  it('opens with the scope and the overall line in bold', () => {
    assert.match(md, /^## Verification: production 2021-10-01\.\.2022-06-30$/m);
    assert.match(md, /\*\*1\/2 tables complete \(50%\)\*\*, overall \*\*FAILED\*\*/);
  });

  it('has a summary table with right-aligned numbers', () => {
    assert.match(md, /\| table \| rows \| expected \| dates \| coverage \| status \|\n\|---\|---:\|---:\|---:\|---:\|---\|/);
    assert.match(md, /\| `player_game_summary` \| 100 \| 120 \| 80\/160 \| 50\.0% \| FAILED \|/);
  });

  it('lists each problem as a bullet with its details in code spans', () => {
    assert.match(md, /### `player_game_summary`: FAILED/);
    assert.match(md, /- 40 dates with short raw data \(no\\_source\)\n {2}- dates: `2021-11-01\.\.2021-11-30, 2021-12-01\.\.2021-12-10`/);
    assert.match(md, /Every check passed\./);
  });
});
