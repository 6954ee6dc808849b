import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertStore, VerificationHistory } from '../ports/alert-store.js';
import type { AlertState } from '../alerts/alert-records.js';
import type { Clock } from '../ports/clock.js';
import type { Ledger, RunRecord } from '../ports/ledger.js';
import type { Warehouse } from '../ports/warehouse.js';
import { historyEntry } from '../alerts/history.js';
import { scopeKey } from '../alerts/scope-key.js';
import { DEFAULTS } from '../config/defaults.js';
import { problemLines } from '../input/invalid-input.js';
import { html } from '../page/html.js';
import { pageStylesheet } from '../page/page-style.js';
import { renderStatusPage, type StatusPageView } from '../page/render-page.js';
import { runProgress } from './progress-view.js';
import { QUERY_PROBLEMS, runVerification, ScopeQuerySchema, type ScopeQuery } from './verify-endpoint.js';

/** What the status page reads: the same ports as GET /verify, GET /backfills and GET /verifications. */
export interface StatusPageDeps {
  readonly warehouse: Warehouse;
  readonly ledger: Ledger;
  readonly clock: Clock;
  /** The verification history (the alert store): when each scope last passed. */
  readonly history?: VerificationHistory | undefined;
  /** Open alerts; without it the page says there is no alert store. */
  readonly alerts?: AlertReader | undefined;
  /** The page's browser script (built from shared/page/browser/); without it the page works, without refresh and buttons. */
  readonly pageScript?: string | undefined;
}

/** The part of the alert store the page reads. */
export type AlertReader = Pick<AlertStore, 'listAlerts'>;

export interface PageResponse {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The page loads nothing from elsewhere and runs no inline code: its one script and one stylesheet
 * come from this server, and it may talk to this server only.
 */
export const PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'Content-Security-Policy': PAGE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const STYLE = pageStylesheet();
const ASSET_NAMES = { style: 'status-page.css', script: 'status-page.js', icon: 'favicon.svg' } as const;
/** Four cells of a calendar. */
const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="7" height="7" fill="#009E73"/><rect x="9" width="7" height="7" fill="#009E73"/><rect y="9" width="7" height="7" fill="#BBBBBB"/><rect x="9" y="9" width="7" height="7" fill="#F0E442"/></svg>';

/** Browser forms send a checkbox list as repeated keys and an empty field as ''. */
function formQuery(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === '') continue;
    out[key] = key === 'tables' && Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join(',') : value;
  }
  return out;
}
const PageQuerySchema = z.preprocess(formQuery, ScopeQuerySchema);

/** `GET /?tables=&start=&end=&mode=&tolerance=`: the status page of that scope. */
export async function statusPage(deps: StatusPageDeps, query: unknown): Promise<PageResponse> {
  const parsed = PageQuerySchema.safeParse(query);
  if (!parsed.success) return badQuery(problemLines(parsed.error, QUERY_PROBLEMS));
  const view = await loadView(deps, parsed.data);
  return { status: 200, body: renderStatusPage(view), contentType: 'text/html; charset=utf-8', headers: PAGE_HEADERS };
}

/** `GET /assets/<name>`: the page's stylesheet and script; null for any other name. */
export function pageAsset(deps: StatusPageDeps, name: string): PageResponse | null {
  const headers = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, max-age=86400' };
  if (name === ASSET_NAMES.style) return { status: 200, body: STYLE, contentType: 'text/css; charset=utf-8', headers };
  if (name === ASSET_NAMES.icon) return { status: 200, body: ICON, contentType: 'image/svg+xml', headers };
  if (name === ASSET_NAMES.script && deps.pageScript !== undefined) return { status: 200, body: deps.pageScript, contentType: 'text/javascript; charset=utf-8', headers };
  return null;
}

async function loadView(deps: StatusPageDeps, q: ScopeQuery): Promise<StatusPageView> {
  const now = deps.clock.now();
  const [{ report }, runs, verifications] = await Promise.all([
    runVerification(deps, q.scope, 'json', { tolerance: q.tolerance }),
    loadRuns(deps.ledger, now),
    deps.history ? latestPerScope(deps.history) : Promise.resolve(null),
  ]);
  const keys = new Set([scopeKey(report.scope, q.end === undefined), ...(verifications ?? []).map((v) => v.scopeKey)]);
  const alerts = deps.alerts ? await openAlerts(deps.alerts, [...keys]) : null;
  const active = runs.some((r) => r.run.state === 'active') || report.overall.status === 'IN_PROGRESS';
  return {
    scope: { tables: q.scope.tables, start: q.start, end: q.end ?? null, mode: q.mode, tolerance: q.tolerance ?? null },
    report,
    runs,
    verifications,
    alerts,
    refreshSeconds: active ? DEFAULTS.pageRefreshSeconds : null,
    assets: {
      style: `assets/${ASSET_NAMES.style}?v=${fingerprint(STYLE)}`,
      script: `assets/${ASSET_NAMES.script}?v=${fingerprint(deps.pageScript ?? '')}`,
      icon: `assets/${ASSET_NAMES.icon}`,
    },
    now,
  };
}

/** Active runs (however old) and the latest ones, active first, each with its progress as GET /backfills/:id gives it. */
async function loadRuns(ledger: Ledger, now: number) {
  const [active, latest] = await Promise.all([
    ledger.listRuns({ states: ['active'], limit: DEFAULTS.pageRuns }),
    ledger.listRuns({ limit: DEFAULTS.pageRuns }),
  ]);
  const byId = new Map<string, RunRecord>();
  for (const run of [...active, ...latest]) if (!byId.has(run.id)) byId.set(run.id, run);
  const views = await Promise.all([...byId.keys()].map((id) => runProgress(ledger, id, now)));
  return views.filter((v) => v !== null);
}

/** The newest verification of each scope recently verified, with when that scope last passed. */
async function latestPerScope(history: VerificationHistory) {
  const records = await history.listVerifications({ limit: DEFAULTS.pageVerificationsRead });
  const latest = new Map<string, ReturnType<typeof historyEntry>>();
  for (const record of records) if (!latest.has(record.scopeKey)) latest.set(record.scopeKey, historyEntry(record));
  const entries = [...latest.values()].slice(0, DEFAULTS.pageScopesShown);
  const passing = await Promise.all(entries.map((e) => history.lastPassed(e.scopeKey)));
  return entries.map((e, i) => {
    const passedAt = passing[i]?.lastPassedAt ?? null;
    return { ...e, lastPassedAt: passedAt === null ? null : new Date(passedAt).toISOString() };
  });
}

/** Open alerts of these scopes: wrong data first, then the most recently seen. */
async function openAlerts(store: AlertReader, keys: readonly string[]): Promise<AlertState[]> {
  const lists = await Promise.all(keys.map((key) => store.listAlerts(key, { statuses: ['open'] })));
  const byId = new Map(lists.flat().map((a) => [a.id, a]));
  return [...byId.values()].sort((a, b) => (a.severity === b.severity ? b.lastSeenAt - a.lastSeenAt : a.severity === 'wrong_data' ? -1 : 1));
}

function fingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function badQuery(problems: readonly string[]): PageResponse {
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bad request</title><link rel="icon" href="assets/${ASSET_NAMES.icon}"><link rel="stylesheet" href="assets/${ASSET_NAMES.style}"></head>
<body><h1>This view cannot be shown</h1><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul><p><a href="./">Back to the default view</a></p></body></html>
`;
  return { status: 400, body: body.text, contentType: 'text/html; charset=utf-8', headers: PAGE_HEADERS };
}
