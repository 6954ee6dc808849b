import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openLocalStack } from '../../cli/local-stack.js';
import { systemClock } from '../../shared/ports/clock.js';
import { parseBackfillRequest } from '../../shared/planning/backfill-request.js';
import { cancelRun } from '../../shared/runner/cancel-run.js';
import { startRun } from '../../shared/runner/start-run.js';
import { ANALYTICS_TABLES } from '../../shared/tables/names.js';
import { parseReportJson } from '../../shared/verify/render-json.js';
import type { VerificationReport } from '../../shared/verify/report-schema.js';
import { launchChromium, testOutputDir, type Browser } from '../support/chromium.js';
import { runCli, startCli, type CliResult } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';

/**
 * `backfill serve` over the real-data fixture, looked at in headless Chromium as a person would:
 * every table's calendar against the JSON report of the same scope, a date's details on hover, the
 * retry button, and not one request outside the server.
 */

const SCOPE = { start: '2018-04-01', end: '2024-04-14' } as const;
const PAGE_PATH = `/?start=${SCOPE.start}&end=${SCOPE.end}`;
/** The dates the test breaks by hand: a partial date, and a run whose chunks failed and died, then cancelled. */
const PARTIAL = { table: 'team_offense_game_summary', date: '2018-04-20' } as const;
// A table no context reads, so no run of the other ranges built these dates as history.
const BROKEN = { table: 'team_offense_game_summary', start: '2021-11-01', end: '2021-11-03', failed: '2021-11-01', dead: '2021-11-02' } as const;
const ERROR = 'rateLimitExceeded: Exceeded rate limits: too many table update operations for this table';

async function cli(args: readonly string[]): Promise<CliResult> {
  const result = await runCli(args);
  assert.ok(result.code === 0 || result.code === 1, `backfill ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}`);
  return result;
}

/** The states the page must show per table, computed from the report's JSON alone (not the page's code). */
function expectedCounts(report: VerificationReport): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const t of report.tables) {
    const counts: Record<string, number> = {};
    const add = (state: string) => { counts[state] = (counts[state] ?? 0) + 1; };
    assert.equal(t.completeDateList.length, t.completeDates, `${t.table}: completeDateList lists completeDates`);
    for (let i = 0; i < t.completeDateList.length; i += 1) add('complete');
    for (const p of t.problems) {
      if (p.kind !== 'date_rows') continue;
      for (const d of p.dates) add(d.chunk && (d.chunk.state === 'queued' || d.chunk.state === 'running') ? 'in_flight' : p.reason);
    }
    out[t.table] = counts;
  }
  return out;
}

async function shownCounts(page: Page): Promise<Record<string, Record<string, number>>> {
  return page.$$eval('article.table', (articles) => Object.fromEntries(articles.map((a) => {
    const counts: Record<string, number> = {};
    for (const cell of a.querySelectorAll<HTMLElement>('.cells i')) counts[cell.dataset.s ?? '?'] = (counts[cell.dataset.s ?? '?'] ?? 0) + 1;
    return [(a as HTMLElement).dataset.table ?? '?', counts];
  })));
}

describe('backfill serve: the status page in a browser', function () {
  this.timeout(240_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: { child: ChildProcess; done: Promise<CliResult> } | undefined;
  let url = '';
  let browser: Browser | undefined;
  const requests: string[] = [];
  const problems: string[] = [];

  before(async function () {
    dir = await tempDir('serve-page-');
    const dataDir = ['--data-dir', dir.path];
    await cli([...dataDir, 'load-raw', FIXTURE_RAW_DIR]);
    await cli([...dataDir, 'run', '--tables', 'all', '--start', '2018-04-01', '--end', '2018-05-31']);
    await cli([...dataDir, 'run', '--tables', 'all', '--start', '2024-03-25', '--end', '2024-04-14']);
    await cli([...dataDir, 'run', '--mode', 'test', '--tables', 'team_offense_game_summary', '--start', '2021-10-19', '--end', '2021-10-25']);

    // What a run cannot be asked to leave behind: a partition short of rows, chunks failed and dead.
    const stack = await openLocalStack(dir.path);
    try {
      const ctx = stack.warehouse.context('production');
      await stack.warehouse.query({
        sql: `DELETE FROM ${ctx.analytics(PARTIAL.table)} WHERE game_date = DATE '${PARTIAL.date}' AND team_abbr IN (SELECT team_abbr FROM ${ctx.analytics(PARTIAL.table)} WHERE game_date = DATE '${PARTIAL.date}' LIMIT 1)`,
        params: {}, types: {}, label: 'test_make_partial',
      });
      const { run } = await startRun({ warehouse: stack.warehouse, ledger: stack.ledger, clock: systemClock }, parseBackfillRequest({ tables: [BROKEN.table], start: BROKEN.start, end: BROKEN.end }));
      const chunks = await stack.ledger.listChunks({ runId: run.id });
      const idOf = (date: string) => chunks.find((c) => c.gameDate === date)?.id ?? assert.fail(`no chunk for ${date}`);
      const changed = await stack.ledger.transition([
        { id: idOf(BROKEN.failed), from: ['pending'], to: 'failed', patch: { attempts: 2, lastError: ERROR, nextAttemptAt: Date.now() + 3_600_000 } },
        { id: idOf(BROKEN.dead), from: ['pending'], to: 'dead', patch: { attempts: 5, lastError: ERROR } },
      ]);
      assert.equal(changed.length, 2);
      assert.ok(await cancelRun({ ledger: stack.ledger, clock: systemClock }, run.id, 'cancelled by the test'));
    } finally {
      await stack.close();
    }

    server = startCli([...dataDir, 'serve', '--port', '0']);
    url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`backfill serve did not say where it listens: ${seen}`)), 60_000);
      server?.child.stdout?.on('data', (d: Buffer) => {
        seen += d.toString();
        const match = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(seen);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      void server?.done.then((r) => reject(new Error(`backfill serve exited ${String(r.code)}: ${r.stderr}`)));
    });

    browser = await launchChromium();
    browser.context.on('request', (r) => requests.push(r.url()));
    browser.context.on('weberror', (e) => problems.push(`page error: ${e.error().message}`));
    browser.context.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
  });

  after(async function () {
    await browser?.close();
    if (server) {
      server.child.kill('SIGTERM');
      const ended = await server.done;
      assert.equal(ended.code, 0, `backfill serve stopped with ${String(ended.code)}: ${ended.stderr}`);
    }
    await dir?.remove();
  });

  async function report(): Promise<VerificationReport> {
    const response = await fetch(`${url}/verify?start=${SCOPE.start}&end=${SCOPE.end}&format=json`);
    assert.equal(response.status, 200);
    return parseReportJson(await response.text());
  }

  it('shows every table with one cell per date in the state the JSON report gives it, details on hover, and asks nothing of anyone else', async function () {
    assert.ok(browser);
    const page = await browser.context.newPage();
    const response = await page.goto(`${url}${PAGE_PATH}`);
    assert.equal(response?.status(), 200);
    assert.match((await response?.allHeaders())?.['content-security-policy'] ?? '', /default-src 'none'; script-src 'self'/);

    const tables = await page.$$eval('article.table', (as) => as.map((a) => (a as HTMLElement).dataset.table));
    assert.deepEqual(tables, [...ANALYTICS_TABLES]);
    for (const table of ANALYTICS_TABLES) assert.ok(await page.isVisible(`article[data-table="${table}"] .calendar`), `${table}'s calendar is shown`);

    const json = await report();
    const expected = expectedCounts(json);
    assert.deepEqual(await shownCounts(page), expected);
    // The fixture and the hand-made breakage give the calendars every state but excess rows.
    const seen = new Set(Object.values(expected).flatMap((c) => Object.keys(c)));
    for (const state of ['complete', 'no_source', 'not_processed', 'failed', 'dead', 'partial', 'test_only']) assert.ok(seen.has(state), `some date is ${state}`);
    // Status and coverage beside each calendar are the report's.
    for (const t of json.tables) {
      const summary = await page.textContent(`article[data-table="${t.table}"] .summary`);
      assert.match(summary ?? '', new RegExp(`${t.status}\\s+coverage ${String(t.coveragePct).replace('.', '\\.')}%`));
    }

    const failed = page.locator(`article[data-table="${BROKEN.table}"] .cells i[data-d="${BROKEN.failed}"]`);
    assert.equal(await failed.getAttribute('data-s'), 'failed');
    await failed.hover();
    const details = page.locator(`article[data-table="${BROKEN.table}"] .details`);
    const failedDetail = json.tables.flatMap((t) => (t.table === BROKEN.table ? t.problems : [])).flatMap((p) => (p.kind === 'date_rows' && p.reason === 'failed' ? p.dates : []))[0];
    assert.ok(failedDetail);
    const text = await details.textContent();
    assert.ok(text?.includes(`${BROKEN.failed} · failed · 0 of ${failedDetail.expectedRows} expected rows`), text ?? '');
    assert.ok(text?.includes(`chunk failed, 2 failed attempts: ${ERROR}`), text ?? '');

    // A click focuses a date; the arrow keys walk on from it (the calendar is one tab stop) and the details follow.
    const partial = page.locator(`article[data-table="${PARTIAL.table}"] .cells i[data-d="${PARTIAL.date}"]`);
    await partial.click();
    assert.match(await page.textContent(`article[data-table="${PARTIAL.table}"] .details`) ?? '', new RegExp(`${PARTIAL.date} · partial \\(rows short\\) · \\d+ of \\d+ expected rows`));
    await page.keyboard.press('ArrowRight');
    const next = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.d);
    assert.ok(next && next > PARTIAL.date, `focus moved to the next date, ${String(next)}`);
    assert.match(await page.textContent(`article[data-table="${PARTIAL.table}"] .details`) ?? '', new RegExp(`^${next} · `));
    assert.equal(await page.locator(`article[data-table="${PARTIAL.table}"] .cells i[tabindex="0"]`).count(), 1, 'one tab stop per calendar');

    await page.screenshot({ path: join(await testOutputDir('serve'), 'status-page.png'), fullPage: true });
    assert.deepEqual(requests.filter((r) => !r.startsWith(`${url}/`)), [], 'every request went to the server');
    assert.ok(requests.some((r) => r.startsWith(`${url}/assets/status-page.js`)), 'the script was loaded');
    assert.deepEqual(problems, [], 'no script error and no Content-Security-Policy violation');
    await page.close();
  });

  it('retries a cancelled run from its button; the page follows the run to its end on its own', async function () {
    assert.ok(browser);
    const page = await browser.context.newPage();
    await page.goto(`${url}${PAGE_PATH}`);
    const row = page.locator('tr[data-state="cancelled"]');
    assert.equal(await row.count(), 1);
    const runId = await row.getAttribute('data-run');
    assert.match(await row.textContent() ?? '', /failed, 2 attempts: rateLimitExceeded/);
    await row.locator('form[data-action="retry"] button').click();
    await page.locator('#notice', { hasText: `${runId ?? ''} is active` }).waitFor({ timeout: 30_000 });
    // No reload from here: the page refreshes itself while the run is active, and stops once it ended.
    await page.locator(`tr[data-run="${runId ?? ''}"][data-state="succeeded"]`).waitFor({ timeout: 120_000 });
    for (const date of [BROKEN.failed, BROKEN.dead, BROKEN.end]) {
      assert.equal(await page.getAttribute(`article[data-table="${BROKEN.table}"] .cells i[data-d="${date}"]`, 'data-s'), 'complete', `${date} is complete after the retry`);
    }
    assert.equal(await page.getAttribute('body', 'data-refresh'), null, 'nothing active: no more refreshes');
    assert.deepEqual(await shownCounts(page), expectedCounts(await report()));
    assert.deepEqual(requests.filter((r) => !r.startsWith(`${url}/`)), []);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
