import assert from 'node:assert/strict';
import { alertId, verificationRecordId, type AlertWrite, type VerificationRecord } from '../../shared/alerts/alert-records.js';
import type { AlertStore } from '../../shared/ports/alert-store.js';
import type { AnalyticsTableName } from '../../shared/tables/names.js';
import { summarizeReport } from '../../shared/verify/verification-summary.js';
import { HOUR, T0, offensePointsMismatch, reportOf, tableWith } from '../shared/alerts/alert-fixtures.js';

/**
 * What every AlertStore must do, run against the local store (DuckDB) and the Firestore one on the
 * real emulator: the same answers, and compare-and-set that lets exactly one writer win.
 */

export interface AlertStoreHarness {
  readonly store: AlertStore;
  /** Close the store and open its storage again (stores kept on this machine). */
  reopen?(): Promise<AlertStore>;
  /** Close what the harness opened and remove what the test wrote. */
  dispose(): Promise<void>;
}

export type AlertStoreFactory = () => Promise<AlertStoreHarness>;

const KEY = 'production:2021-11-01..2021-11-30';
const OTHER_KEY = 'production:2021-12-01..2021-12-31';

export function testAlert(fingerprint: string, overrides: Partial<AlertWrite> = {}): AlertWrite {
  const scopeKey = overrides.scopeKey ?? KEY;
  return {
    id: alertId(scopeKey, fingerprint),
    scopeKey,
    mode: 'production',
    fingerprint,
    table: 'team_offense_game_summary',
    kind: 'cross_table_mismatch',
    subject: 'offense_points_match_schedule',
    severity: 'wrong_data',
    description: 'offense_points_match_schedule: 1 mismatch of 24 compared',
    status: 'open',
    firstSeenAt: T0,
    lastSeenAt: T0,
    lastNotifiedAt: null,
    lastEvent: null,
    resolvedAt: null,
    claim: null,
    ...overrides,
  };
}

export function testRecord(at: number, options: { scopeKey?: string; failing?: AnalyticsTableName[]; trigger?: VerificationRecord['trigger'] } = {}): VerificationRecord {
  const scopeKey = options.scopeKey ?? KEY;
  const trigger = options.trigger ?? 'scheduled';
  const failing = new Set(options.failing ?? []);
  const tables = (['team_offense_game_summary', 'team_defense_game_summary'] as const).map((t) => tableWith(t, failing.has(t) ? [offensePointsMismatch()] : []));
  return { id: verificationRecordId(scopeKey, at, trigger, null), scopeKey, trigger, runId: null, verifiedAt: at, summary: summarizeReport(reportOf(tables, { at })) };
}

const FP = ['0000000000000001', '0000000000000002', '0000000000000003'] as const;

/** `reopens`: the harness can close the store and open its storage again (checks what survives). */
export function alertStoreConformance(name: string, factory: AlertStoreFactory, options: { reopens?: boolean } = {}): void {
  describe(`${name} (AlertStore conformance)`, function () {
    let harness: AlertStoreHarness;
    let store: AlertStore;

    beforeEach(async function () {
      harness = await factory();
      store = harness.store;
    });

    afterEach(async function () {
      await harness.dispose();
    });

    describe('alerts', function () {
      it('creates an alert only where there is none, at revision 1, and gives back every field as written', async function () {
        const alert = testAlert(FP[0], { claim: { token: 't-1', event: 'firing', expiresAt: T0 + HOUR } });
        assert.deepEqual(await store.putAlert(alert, null), { ...alert, revision: 1 });
        assert.equal(await store.putAlert(testAlert(FP[0]), null), null, 'a second create loses');
        assert.deepEqual(await store.getAlerts([alert.id]), [{ ...alert, revision: 1 }]);
      });

      it('writes only over the revision it expects, and bumps it', async function () {
        const alert = testAlert(FP[0]);
        await store.putAlert(alert, null);
        const notified = { ...alert, lastNotifiedAt: T0 + HOUR, lastEvent: 'firing' as const };
        assert.equal((await store.putAlert(notified, 1))?.revision, 2);
        assert.equal(await store.putAlert({ ...alert, description: 'stale' }, 1), null, 'a stale revision loses');
        assert.equal(await store.putAlert(testAlert(FP[1]), 3), null, 'no alert: only a create (null) can write');
        const [stored] = await store.getAlerts([alert.id]);
        assert.deepEqual(stored, { ...notified, revision: 2 });
      });

      it('lets exactly one of many writers from the same revision win', async function () {
        await store.putAlert(testAlert(FP[0]), null);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => store.putAlert(testAlert(FP[0], { claim: { token: `t-${i}`, event: 'repeat', expiresAt: T0 + HOUR } }), 1)),
        );
        const winners = results.filter((r) => r !== null);
        assert.equal(winners.length, 1);
        const [stored] = await store.getAlerts([testAlert(FP[0]).id]);
        assert.deepEqual(stored?.claim, winners[0]?.claim);
      });

      it('lets exactly one of many creators win', async function () {
        const results = await Promise.all(Array.from({ length: 4 }, () => store.putAlert(testAlert(FP[0]), null)));
        assert.equal(results.filter((r) => r !== null).length, 1);
      });

      it('lists the open alerts of one scope key by default, and others when asked', async function () {
        await store.putAlert(testAlert(FP[1]), null);
        await store.putAlert(testAlert(FP[0]), null);
        await store.putAlert(testAlert(FP[2], { status: 'resolved', resolvedAt: T0 + HOUR }), null);
        await store.putAlert(testAlert(FP[0], { scopeKey: OTHER_KEY }), null);
        assert.deepEqual((await store.listAlerts(KEY)).map((a) => a.fingerprint), [FP[0], FP[1]]);
        assert.deepEqual((await store.listAlerts(KEY, { statuses: ['resolved'] })).map((a) => a.fingerprint), [FP[2]]);
        assert.deepEqual((await store.listAlerts(KEY, { statuses: ['open', 'resolved'] })).map((a) => a.fingerprint), [FP[0], FP[1], FP[2]]);
        assert.deepEqual((await store.listAlerts(OTHER_KEY)).map((a) => a.scopeKey), [OTHER_KEY]);
        assert.deepEqual(await store.listAlerts(KEY, { statuses: [] }), []);
      });

      it('gets the alerts that exist among the ids asked, in that order', async function () {
        await store.putAlert(testAlert(FP[0]), null);
        await store.putAlert(testAlert(FP[1]), null);
        const ids = [testAlert(FP[1]).id, testAlert(FP[2]).id, testAlert(FP[0]).id, testAlert(FP[1]).id];
        assert.deepEqual((await store.getAlerts(ids)).map((a) => a.fingerprint), [FP[1], FP[0]]);
        assert.deepEqual(await store.getAlerts([]), []);
      });
    });

    describe('verification history', function () {
      it('lists verifications newest first, of one scope key or of all, up to the limit', async function () {
        await store.recordVerification(testRecord(T0));
        await store.recordVerification(testRecord(T0 + 2 * HOUR));
        await store.recordVerification(testRecord(T0 + HOUR, { scopeKey: OTHER_KEY }));
        assert.deepEqual((await store.listVerifications({ scopeKey: KEY })).map((r) => r.verifiedAt), [T0 + 2 * HOUR, T0]);
        assert.deepEqual((await store.listVerifications()).map((r) => r.verifiedAt), [T0 + 2 * HOUR, T0 + HOUR, T0]);
        assert.deepEqual((await store.listVerifications({ limit: 1 })).map((r) => r.verifiedAt), [T0 + 2 * HOUR]);
      });

      it('gives back a recorded verification as it was written, summary included', async function () {
        const record = testRecord(T0, { failing: ['team_offense_game_summary'], trigger: 'run_finished' });
        await store.recordVerification({ ...record, runId: 'run-1' });
        assert.deepEqual(await store.listVerifications({ scopeKey: KEY }), [{ ...record, runId: 'run-1' }]);
      });

      it('records the same verification once', async function () {
        assert.deepEqual(await store.recordVerification(testRecord(T0)), { recorded: true });
        assert.deepEqual(await store.recordVerification(testRecord(T0)), { recorded: false });
        assert.equal((await store.listVerifications({ scopeKey: KEY })).length, 1);
      });

      it('knows when a scope, and each table in it, last passed', async function () {
        assert.equal(await store.lastPassed(KEY), null);
        await store.recordVerification(testRecord(T0));
        await store.recordVerification(testRecord(T0 + HOUR, { failing: ['team_offense_game_summary'] }));
        await store.recordVerification(testRecord(T0 + 2 * HOUR, { scopeKey: OTHER_KEY, failing: ['team_defense_game_summary'] }));
        const passing = await store.lastPassed(KEY);
        assert.ok(passing);
        assert.deepEqual([passing.lastVerifiedAt, passing.lastPassedAt], [T0 + HOUR, T0]);
        assert.deepEqual(passing.tables.team_offense_game_summary, { lastVerifiedAt: T0 + HOUR, lastPassedAt: T0 });
        assert.deepEqual(passing.tables.team_defense_game_summary, { lastVerifiedAt: T0 + HOUR, lastPassedAt: T0 + HOUR });
        assert.equal((await store.lastPassed(OTHER_KEY))?.lastPassedAt, null);
      });

      it('folds in each of many verifications recorded at once', async function () {
        await Promise.all([0, 1, 2, 3].map((i) => store.recordVerification(testRecord(T0 + i * HOUR, { failing: i === 3 ? ['team_defense_game_summary'] : [] }))));
        const passing = await store.lastPassed(KEY);
        assert.deepEqual([passing?.lastVerifiedAt, passing?.lastPassedAt], [T0 + 3 * HOUR, T0 + 2 * HOUR]);
        assert.equal((await store.listVerifications({ scopeKey: KEY })).length, 4);
      });
    });

    if (options.reopens) it('keeps alerts and history across a reopen', async function () {
      assert.ok(typeof harness.reopen === 'function', 'the harness reopens');
      await store.putAlert(testAlert(FP[0]), null);
      await store.recordVerification(testRecord(T0));
      store = await harness.reopen();
      assert.equal((await store.listAlerts(KEY)).length, 1);
      assert.equal((await store.listVerifications()).length, 1);
      assert.equal((await store.lastPassed(KEY))?.lastPassedAt, T0);
      assert.equal((await store.putAlert(testAlert(FP[0]), 1))?.revision, 2);
    });
  });
}
