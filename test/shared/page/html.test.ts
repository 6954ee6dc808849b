import assert from 'node:assert/strict';
import { html } from '../../../shared/page/html.js';

describe('html: the page template tag', () => {
  it('escapes every interpolated value, in text and in quoted attributes', () => {
    const error = `<img src=x onerror="alert('x')">&`;
    assert.equal(html`<p title="${error}">${error}</p>`.text,
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p>');
  });

  it('inserts markup made by html as it is, joins arrays, and renders nothing for null, undefined and booleans', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    assert.equal(html`<ul>${items}</ul>${null}${undefined}${false}${true}${0}`.text, '<ul><li>a&lt;b</li><li>c</li></ul>0');
  });
});
