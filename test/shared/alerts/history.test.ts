import assert from 'node:assert/strict';
import { LocalAlertStore } from '../../../adapters/local/local-alert-store.js';
import { historyEntry, recordAndShow, withHistory } from '../../../shared/alerts/history.js';
import type { VerificationReport } from '../../../shared/verify/report-schema.js';
import { parseReportJson, renderJson } from '../../../shared/verify/render-json.js';
import { renderMarkdown } from '../../../shared/verify/render-markdown.js';
import { renderText } from '../../../shared/verify/render-text.js';
import { decideOverall } from '../../../shared/verify/table-status.js';
import { sampleReport, tableReport } from '../verify/report-fixture.js';

/** The sample scope, verified at `at`, failing (the sample) or with every table complete. */
function reportAt(at: string, passing: boolean): VerificationReport {
  const failing = sampleReport();
  if (!passing) return { ...failing, generatedAt: at };
  const tables = failing.tables.map((t) => tableReport({ table: t.table }));
  return { ...failing, generatedAt: at, tables, overall: decideOverall(tables.map((t) => t.status)) };
}

describe('verification history in reports', () => {
  let store: LocalAlertStore;
  beforeEach(async () => {
    store = await LocalAlertStore.open({ path: ':memory:' });
  });
  afterEach(async () => store.close());

  it('says a scope was never verified before its first verification is recorded', async () => {
    const report = await withHistory(store, reportAt('2024-07-01T12:00:00.000Z', true), false);
    assert.deepEqual(report.history, { scopeKey: 'production:2021-10-01..2022-06-30', lastVerifiedAt: null, lastPassedAt: null, tables: {} });
    assert.match(renderText(report), /^Never verified before in this scope \(history of production:2021-10-01\.\.2022-06-30\)$/m);
  });

  it('keeps when the scope last passed through later failures, and names the tables that passed', async () => {
    await recordAndShow(store, reportAt('2024-07-01T06:00:00.000Z', false), 'manual', null);
    const passed = await recordAndShow(store, reportAt('2024-07-02T06:00:00.000Z', true), 'run_finished', 'run-1');
    assert.equal(passed.history?.lastPassedAt, '2024-07-02T06:00:00.000Z');
    const failedAgain = await recordAndShow(store, reportAt('2024-07-03T06:00:00.000Z', false), 'manual', null);
    assert.deepEqual(failedAgain.history, {
      scopeKey: 'production:2021-10-01..2022-06-30',
      lastVerifiedAt: '2024-07-03T06:00:00.000Z',
      lastPassedAt: '2024-07-02T06:00:00.000Z',
      tables: {
        player_game_summary: { lastVerifiedAt: '2024-07-03T06:00:00.000Z', lastPassedAt: '2024-07-02T06:00:00.000Z' },
        // Complete in all three verifications.
        team_offense_game_summary: { lastVerifiedAt: '2024-07-03T06:00:00.000Z', lastPassedAt: '2024-07-03T06:00:00.000Z' },
      },
    });
    assert.match(renderText(failedAgain), /^Last passed 2024-07-02T06:00:00\.000Z; last verified 2024-07-03T06:00:00\.000Z \(history of production:2021-10-01\.\.2022-06-30\)$/m);
    assert.match(renderMarkdown(failedAgain), /Last passed 2024-07-02T06:00:00\.000Z/);
    assert.equal(parseReportJson(renderJson(failedAgain)).history?.lastPassedAt, '2024-07-02T06:00:00.000Z');
  });

  it('shares the scheduled verification\'s history with a scope that runs through yesterday', async () => {
    await recordAndShow(store, reportAt('2024-07-01T06:00:00.000Z', true), 'scheduled', null);
    const rolling = await withHistory(store, reportAt('2024-07-01T09:00:00.000Z', false), true);
    assert.equal(rolling.history?.scopeKey, 'production:2021-10-01..');
    assert.equal(rolling.history?.lastPassedAt, '2024-07-01T06:00:00.000Z');
    const fixed = await withHistory(store, reportAt('2024-07-01T09:00:00.000Z', false), false);
    assert.equal(fixed.history?.lastVerifiedAt, null, 'a fixed range has a history of its own');
  });

  it('records a verification delivered twice once', async () => {
    const report = reportAt('2024-07-01T06:00:00.000Z', false);
    await recordAndShow(store, report, 'run_finished', 'run-1');
    await recordAndShow(store, report, 'run_finished', 'run-1');
    const entries = (await store.listVerifications()).map(historyEntry);
    assert.deepEqual(entries.map((e) => [e.verifiedAt, e.trigger, e.runId, e.status, e.line]), [
      ['2024-07-01T06:00:00.000Z', 'run_finished', 'run-1', 'FAILED', '1/2 tables complete (50%)'],
    ]);
  });
});
