import assert from 'node:assert/strict';
import { isCrossSiteWrite } from '../../../shared/api/cross-site.js';

describe('cross-site writes', () => {
  it('refuses a POST a browser says came from another site, even another port of the same host', () => {
    assert.equal(isCrossSiteWrite('POST', 'cross-site'), true);
    assert.equal(isCrossSiteWrite('POST', 'same-site'), true);
  });

  it('lets through the page\'s own buttons, a typed URL, the CLI and curl (no header), and every read', () => {
    assert.equal(isCrossSiteWrite('POST', 'same-origin'), false);
    assert.equal(isCrossSiteWrite('POST', 'none'), false);
    assert.equal(isCrossSiteWrite('POST', undefined), false);
    assert.equal(isCrossSiteWrite('GET', 'cross-site'), false);
  });
});
