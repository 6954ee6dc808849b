import assert from 'node:assert/strict';
import { parseReportJson, renderJson } from '../../../shared/verify/render-json.js';
import { sampleReport } from './report-fixture.js';

describe('renderJson', () => {
  it('round-trips a report through its schema', () => {
    const report = sampleReport();
    assert.deepEqual(parseReportJson(renderJson(report)), report);
  });

  it('carries schemaVersion 2', () => {
    assert.match(renderJson(sampleReport()), /^\{\n {2}"schemaVersion": 2,\n/);
  });

  it('refuses a report that does not match the documented schema', () => {
    const broken = { ...sampleReport(), overall: { ...sampleReport().overall, status: 'DONE' } };
    assert.throws(() => renderJson(broken as never), (e: Error) => e.name === 'ZodError');
  });
});
