import type { RunProgressView } from '../api/progress-view.js';
import type { AlertState } from '../alerts/alert-records.js';
import type { HistoryEntry } from '../alerts/history.js';
import { ANALYTICS_TABLES, RUN_MODES, type AnalyticsTableName, type RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import { describeProblem } from '../verify/problems.js';
import type { TableReport, VerificationReport } from '../verify/report-schema.js';
import { countStates, seasonRows, tableCells, type Cell } from './calendar.js';
import { BAR_ORDER, CELL_STATES, CHUNK_STATE_STYLES, STATE_STYLES } from './cell-states.js';
import { html, type Html } from './html.js';

/** What the page shows: the scope asked for and what GET /verify, GET /backfills/:id and GET /verifications say about it. */
export interface StatusPageView {
  readonly scope: { readonly tables: readonly AnalyticsTableName[]; readonly start: IsoDate; readonly end: IsoDate | null; readonly mode: RunMode; readonly tolerance: number | null };
  readonly report: VerificationReport;
  readonly runs: readonly RunProgressView[];
  /** The latest verification of each recently verified scope, with when that scope last passed; null without a history. */
  readonly verifications: ReadonlyArray<HistoryEntry & { readonly lastPassedAt: string | null }> | null;
  /** Open alerts of those scopes; null without an alert store. */
  readonly alerts: readonly AlertState[] | null;
  /** Seconds between refreshes while a run is active; null when nothing is running. */
  readonly refreshSeconds: number | null;
  readonly assets: { readonly script: string; readonly style: string; readonly icon: string };
  /** Epoch milliseconds the page was made. */
  readonly now: number;
}

export function renderStatusPage(view: StatusPageView): string {
  const { report } = view;
  const title = `Backfill status: ${report.overall.status}`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="${view.assets.icon}">
<link rel="stylesheet" href="${view.assets.style}">
${view.refreshSeconds ? html`<noscript><meta http-equiv="refresh" content="${view.refreshSeconds}"></noscript>` : ''}
<script type="module" src="${view.assets.script}"></script>
</head>
<body${view.refreshSeconds ? html` data-refresh="${view.refreshSeconds}"` : ''}>
<header>
<h1>NBA analytics backfill</h1>
<p class="overall">${report.scope.mode} ${report.scope.start}..${report.scope.end}: <span class="status" data-status="${report.overall.status}">${report.overall.status}</span> ${report.overall.line}
 <span class="muted">· verified ${shortTime(report.generatedAt)}${report.history ? html` · ${passedLine(report.history.lastPassedAt)}` : ''}</span></p>
${pickers(view)}
</header>
<p class="notice" id="notice" role="status" hidden></p>
<main id="main">
${coverage(view)}
${runs(view)}
${verifications(view)}
${alerts(view)}
</main>
<footer>
<p>Made ${shortTime(new Date(view.now).toISOString())} from the warehouse (coverage, read as <code>GET /verify</code> reads it) and the checkpoints (runs).
 The same data: <a href="${verifyLink(view, 'json')}">report JSON</a> · <a href="${verifyLink(view, 'text')}">text</a> · <a href="backfills">runs</a> · <a href="verifications">verifications</a>.
${view.refreshSeconds ? html` Refreshes every ${view.refreshSeconds} s while a run is active.` : ''}</p>
</footer>
</body>
</html>
`;
  return page.text;
}

function pickers(view: StatusPageView): Html {
  const { scope } = view;
  const chosen = new Set(scope.tables);
  return html`<form class="pickers" method="get" action="">
<label>From <input type="date" name="start" value="${scope.start}" required></label>
<label>To <input type="date" name="end" value="${scope.end ?? ''}" title="empty: through yesterday"></label>
<label>Mode <select name="mode">${RUN_MODES.map((m) => html`<option value="${m}"${m === scope.mode ? html` selected` : ''}>${m}</option>`)}</select></label>
<fieldset><legend>Tables</legend>${ANALYTICS_TABLES.map((t) => html`<label><input type="checkbox" name="tables" value="${t}"${chosen.has(t) ? html` checked` : ''}>${t}</label>`)}</fieldset>
${scope.tolerance !== null ? html`<input type="hidden" name="tolerance" value="${scope.tolerance}">` : ''}
<button type="submit">Show</button>
</form>`;
}

function coverage(view: StatusPageView): Html {
  const { report } = view;
  return html`<section id="coverage" aria-labelledby="coverage-title">
<h2 id="coverage-title">Coverage by game date</h2>
<ul class="legend" aria-label="cell states">${CELL_STATES.map((s) => html`<li data-state="${s}"><span class="swatch" data-s="${s}"></span>${STATE_STYLES[s].label}</li>`)}</ul>
<p class="muted">One cell per game date, seasons as rows. Hover or focus a cell (then arrow keys) for its date, rows and reason.</p>
${report.tables.map((t) => tableBlock(t, report))}
</section>`;
}

function tableBlock(table: TableReport, report: VerificationReport): Html {
  const cells = tableCells(table);
  const seasons = seasonRows(cells);
  const counts = countStates(cells);
  const passing = report.history?.tables[table.table];
  const otherProblems = table.problems.filter((p) => p.kind !== 'date_rows');
  return html`<article class="table" data-table="${table.table}" aria-labelledby="t-${table.table}">
<div class="summary">
<h3 id="t-${table.table}">${breakable(table.table)}</h3>
<p><span class="status" data-status="${table.status}">${table.status}</span> coverage <b>${table.coveragePct === null ? 'n/a' : `${table.coveragePct}%`}</b></p>
<p class="muted">${table.completeDates.toLocaleString('en-US')} of ${(table.expectedDates + table.sourceShortDates).toLocaleString('en-US')} dates complete · ${table.rows.toLocaleString('en-US')} rows of ${table.expectedRows.toLocaleString('en-US')} expected</p>
<p class="muted">${table.statusReason}</p>
${passing ? html`<p class="muted">${passedLine(passing.lastPassedAt)}</p>` : ''}
<ul class="counts" aria-label="dates by state">${CELL_STATES.filter((s) => counts.has(s)).map((s) => html`<li data-state="${s}" data-count="${counts.get(s) ?? 0}"><span class="swatch" data-s="${s}"></span>${STATE_STYLES[s].label} ${(counts.get(s) ?? 0).toLocaleString('en-US')}</li>`)}</ul>
${otherProblems.length ? html`<ul class="problems">${otherProblems.map((p) => html`<li>${describeProblem(p)}</li>`)}</ul>` : ''}
</div>
<div>
<div class="calendar${Math.max(0, ...seasons.map((r) => r.cells.length)) <= WIDE_CELLS_UP_TO ? ' wide' : ''}" role="group" aria-label="${table.table}: game dates by season">
${cells.length === 0 ? html`<p class="muted">No game dates in this range.</p>` : seasons.map((row, i) => html`<div class="season"><span class="season-name">${row.season}</span><span class="cells">${row.cells.map((c, j) => cell(c, i === 0 && j === 0))}</span></div>`)}
</div>
<p class="details" aria-live="polite">${cells.length ? 'Hover or focus a date for details.' : ''}</p>
</div>
</article>`;
}

/** A table name that may wrap after its underscores (and only there) in the narrow summary column. */
function breakable(name: string): Html[] {
  return name.split('_').map((part, i) => html`${i > 0 ? html`_<wbr>` : ''}${part}`);
}

/** Seasons this short (a range of weeks) get cells twice as wide. */
const WIDE_CELLS_UP_TO = 110;

function cell(c: Cell, first: boolean): Html {
  return html`<i data-d="${c.date}" data-s="${c.state}" data-r="${c.rows}" data-e="${c.expectedRows}"${c.note ? html` data-n="${c.note}"` : ''}${first ? html` tabindex="0"` : ''}></i>`;
}

function runs(view: StatusPageView): Html {
  return html`<section id="runs" aria-labelledby="runs-title">
<h2 id="runs-title">Runs</h2>
${view.runs.length === 0 ? html`<p class="muted">No runs in the checkpoints.</p>` : html`<table class="list">
<thead><tr><th>run</th><th>state</th><th>progress (chunks)</th><th>throughput</th><th>ETA</th><th>last errors</th><th></th></tr></thead>
<tbody>${view.runs.map((r) => runRow(r, view.now))}</tbody>
</table>`}
</section>`;
}

function runRow(view: RunProgressView, now: number): Html {
  const { run, totals } = view;
  const req = run.request;
  const settled = totals.succeeded + totals.no_source + totals.dead;
  const tables = req.tables.length === ANALYTICS_TABLES.length ? 'all tables' : req.tables.join(', ');
  const retryable = run.state !== 'active' || totals.failed + totals.dead > 0;
  return html`<tr data-run="${run.id}" data-state="${run.state}">
<td><code>${run.id}</code><br><span class="muted">${tables} · ${req.start}..${req.end} · ${req.mode}${req.excludeDates.length ? ` · ${req.excludeDates.length} dates excluded` : ''}</span><br><span class="muted">started ${ago(run.createdAt, now)}${run.finishedAt ? `, ended ${ago(run.finishedAt, now)}` : ''}</span></td>
<td><span class="status" data-status="${run.state}">${run.state}</span>${run.outcome ? html`<br><span class="muted">${run.outcome}</span>` : ''}</td>
<td>${bar(totals)}<div class="bar-text">${settled.toLocaleString('en-US')} of ${totals.total.toLocaleString('en-US')} settled${totals.total ? ` (${Math.floor((100 * settled) / totals.total)}%)` : ''}: ${BAR_ORDER.filter((s) => totals[s] > 0).map((s) => `${CHUNK_STATE_STYLES[s].label} ${totals[s].toLocaleString('en-US')}`).join(' · ')}</div></td>
<td>${view.chunksPerMinute.toLocaleString('en-US')} chunks/min</td>
<td>${view.etaSeconds === null ? (run.state === 'active' ? 'unknown' : '-') : duration(view.etaSeconds)}</td>
<td>${view.lastErrors.length === 0 ? html`<span class="muted">none</span>` : html`<ul class="errors">${view.lastErrors.slice(0, 3).map((e) => html`<li><code>${e.table} ${e.gameDate}</code> ${e.state}, ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}: ${e.lastError ?? 'no message'}</li>`)}</ul>${view.lastErrors.length > 3 ? html`<span class="muted">and ${view.lastErrors.length - 3} more: GET backfills/${run.id}</span>` : ''}`}</td>
<td class="actions">${run.state === 'active' ? action(run.id, 'cancel', 'Cancel') : ''}${retryable ? action(run.id, 'retry', run.state === 'active' ? 'Retry failed' : 'Retry') : ''}</td>
</tr>`;
}

/** A plain form (it works without the script, answering with the route's JSON); the script posts it and refreshes instead. */
function action(runId: string, verb: 'cancel' | 'retry', label: string): Html {
  return html`<form method="post" action="backfills/${runId}/${verb}" data-action="${verb}" data-run="${runId}"><button type="submit">${label}</button></form>`;
}

function bar(totals: RunProgressView['totals']): Html {
  let x = 0;
  const rects = BAR_ORDER.filter((s) => totals[s] > 0).map((s) => {
    const width = (1000 * totals[s]) / Math.max(1, totals.total);
    const r = html`<rect data-c="${s}" x="${x.toFixed(1)}" y="0" width="${width.toFixed(1)}" height="10"><title>${CHUNK_STATE_STYLES[s].label}: ${totals[s]}</title></rect>`;
    x += width;
    return r;
  });
  const label = BAR_ORDER.filter((s) => totals[s] > 0).map((s) => `${CHUNK_STATE_STYLES[s].label} ${totals[s]}`).join(', ');
  return html`<svg class="bar" viewBox="0 0 1000 10" preserveAspectRatio="none" role="img" aria-label="${label || 'no chunks'}">${rects}</svg>`;
}

function verifications(view: StatusPageView): Html {
  const list = view.verifications;
  return html`<section id="verifications" aria-labelledby="verifications-title">
<h2 id="verifications-title">Latest verifications</h2>
${list === null ? html`<p class="muted">This deployment keeps no verification history.</p>` : list.length === 0 ? html`<p class="muted">None recorded yet (scheduled verifications, the end of each run and the CLI's verify are kept).</p>` : html`<table class="list">
<thead><tr><th>scope</th><th>last verified</th><th>status</th><th>last passed</th></tr></thead>
<tbody>${list.map((v) => html`<tr data-scope="${v.scopeKey}"><td><code>${v.scopeKey}</code></td><td>${shortTime(v.verifiedAt)} <span class="muted">(${v.trigger}${v.runId ? `, ${v.runId}` : ''})</span></td><td><span class="status" data-status="${v.status}">${v.status}</span> ${v.line}</td><td>${v.lastPassedAt ? shortTime(v.lastPassedAt) : html`<span class="muted">never</span>`}</td></tr>`)}</tbody>
</table>`}
</section>`;
}

function alerts(view: StatusPageView): Html {
  const list = view.alerts;
  return html`<section id="alerts" aria-labelledby="alerts-title">
<h2 id="alerts-title">Open alerts</h2>
${list === null ? html`<p class="muted">This deployment keeps no alert states.</p>` : list.length === 0 ? html`<p class="muted">No open alerts in the scopes above.</p>` : html`<table class="list">
<thead><tr><th>table</th><th>problem</th><th>severity</th><th>scope</th><th>first seen</th><th>last seen</th><th>notified</th></tr></thead>
<tbody>${list.map((a) => html`<tr data-alert="${a.id}"><td><code>${a.table}</code></td><td>${a.description}</td><td>${a.severity}</td><td><code>${a.scopeKey}</code></td><td>${shortTime(new Date(a.firstSeenAt).toISOString())}</td><td>${shortTime(new Date(a.lastSeenAt).toISOString())}</td><td>${a.lastNotifiedAt ? `${a.lastEvent ?? ''} ${shortTime(new Date(a.lastNotifiedAt).toISOString())}` : 'not yet'}</td></tr>`)}</tbody>
</table>`}
</section>`;
}

function verifyLink(view: StatusPageView, format: 'json' | 'text'): string {
  const { scope } = view;
  const q = new URLSearchParams({ tables: scope.tables.length === ANALYTICS_TABLES.length ? 'all' : scope.tables.join(','), start: scope.start, mode: scope.mode, format });
  if (scope.end) q.set('end', scope.end);
  if (scope.tolerance !== null) q.set('tolerance', String(scope.tolerance));
  return `verify?${q.toString()}`;
}

function passedLine(lastPassedAt: string | null): string {
  return lastPassedAt ? `last passed ${shortTime(lastPassedAt)}` : 'never passed';
}

/** `2026-12-03 08:34 UTC`. */
function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function ago(ms: number, now: number): string {
  return `${duration(Math.max(0, Math.round((now - ms) / 1000)))} ago`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
