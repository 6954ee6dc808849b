import type { AlertEvent } from '../../../shared/alerts/alert-event.js';

/** A firing event as the alerter would send it. */
export function sampleEvent(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    version: 1,
    type: 'firing',
    fingerprint: '0123456789abcdef',
    table: 'team_offense_game_summary',
    kind: 'cross_table_mismatch',
    subject: 'offense_points_match_schedule',
    severity: 'wrong_data',
    description: 'offense_points_match_schedule: 1 mismatch of 24 compared',
    scope: { key: 'production:2021-11-01..2021-11-30', mode: 'production', start: '2021-11-01', end: '2021-11-30' },
    trigger: 'run_finished',
    runId: 'run-1',
    firstSeenAt: '2024-07-01T12:00:00.000Z',
    at: '2024-07-01T12:00:00.000Z',
    reportExcerpt: 'team_offense_game_summary (nba_analytics) FAILED: offense_points_match_schedule: 1 mismatch of 24 compared',
    ...overrides,
  };
}
