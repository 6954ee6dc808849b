import type { VerificationHistory } from '../ports/alert-store.js';
import type { HistoryView, VerificationReport } from '../verify/report-schema.js';
import { summarizeReport } from '../verify/verification-summary.js';
import type { VerificationTrigger } from './alert-event.js';
import { verificationRecord, type ScopePassing, type VerificationRecord } from './alert-records.js';
import { isRollingTrigger, scopeKey } from './scope-key.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** What the history knows of one scope key, as the report shows it. */
export function historyView(key: string, passing: ScopePassing | null): HistoryView {
  const tables: HistoryView['tables'] = {};
  for (const [table, t] of Object.entries(passing?.tables ?? {}) as Array<[keyof HistoryView['tables'], { lastVerifiedAt: number; lastPassedAt: number | null }]>) {
    tables[table] = { lastVerifiedAt: new Date(t.lastVerifiedAt).toISOString(), lastPassedAt: iso(t.lastPassedAt) };
  }
  return { scopeKey: key, lastVerifiedAt: iso(passing?.lastVerifiedAt ?? null), lastPassedAt: iso(passing?.lastPassedAt ?? null), tables };
}

/**
 * The report with when its scope last passed. `rolling`: the scope runs through yesterday, so it
 * shares the history of the scheduled verification (keyed by its start only).
 */
export async function withHistory(history: VerificationHistory, report: VerificationReport, rolling: boolean): Promise<VerificationReport> {
  const key = scopeKey(report.scope, rolling);
  return { ...report, history: historyView(key, await history.lastPassed(key)) };
}

/**
 * Keep a verification in the history without alerting (the local CLI has no alert sinks), then
 * return the report with its scope's history, this verification included.
 */
export async function recordAndShow(
  history: VerificationHistory,
  report: VerificationReport,
  trigger: VerificationTrigger,
  runId: string | null,
): Promise<VerificationReport> {
  const rolling = isRollingTrigger(trigger);
  await history.recordVerification(verificationRecord(summarizeReport(report), scopeKey(report.scope, rolling), trigger, runId));
  return withHistory(history, report, rolling);
}

/** One recorded verification, as `GET /verifications` and `status` list it. */
export interface HistoryEntry {
  readonly verifiedAt: string;
  readonly scopeKey: string;
  readonly trigger: VerificationTrigger;
  readonly runId: string | null;
  readonly status: VerificationReport['overall']['status'];
  readonly line: string;
  readonly tables: ReadonlyArray<{ readonly table: string; readonly status: string }>;
}

export function historyEntry(record: VerificationRecord): HistoryEntry {
  return {
    verifiedAt: new Date(record.verifiedAt).toISOString(),
    scopeKey: record.scopeKey,
    trigger: record.trigger,
    runId: record.runId,
    status: record.summary.overall.status,
    line: record.summary.overall.line,
    tables: record.summary.tables.map((t) => ({ table: t.table, status: t.status })),
  };
}
