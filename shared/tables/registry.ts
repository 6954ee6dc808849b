import { ANALYTICS_TABLES, isAnalyticsTable, type AnalyticsTableName } from './names.js';
import type { AnalyticsTableSpec } from './types.js';
import { PermanentError } from '../errors/errors.js';
import { playerGameSummary } from './analytics/player-game-summary.js';
import { teamOffenseGameSummary } from './analytics/team-offense-game-summary.js';
import { teamDefenseGameSummary } from './analytics/team-defense-game-summary.js';
import { upcomingTeamGameContext } from './analytics/upcoming-team-game-context.js';
import { upcomingPlayerGameContext } from './analytics/upcoming-player-game-context.js';

/** Every analytics table of ../../shared/contracts/TABLES.md, by name. */
export const TABLE_SPECS: Readonly<Record<AnalyticsTableName, AnalyticsTableSpec>> = {
  player_game_summary: playerGameSummary,
  team_offense_game_summary: teamOffenseGameSummary,
  team_defense_game_summary: teamDefenseGameSummary,
  upcoming_team_game_context: upcomingTeamGameContext,
  upcoming_player_game_context: upcomingPlayerGameContext,
};

/** The spec of a table; an unknown name is a permanent error (a retry cannot make it known). */
export function tableSpec(name: string): AnalyticsTableSpec {
  if (!isAnalyticsTable(name)) {
    throw new PermanentError(`unknown analytics table "${name}"; known: ${ANALYTICS_TABLES.join(', ')}`);
  }
  return TABLE_SPECS[name];
}
