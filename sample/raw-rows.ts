import type { Market } from '../shared/tables/raw-schemas.js';
import type { RawTableName } from '../shared/tables/names.js';
import type { IsoDate } from '../shared/util/dates.js';
import type { InjuryStatus } from './availability.js';
import type { SeasonType } from './game.js';
import type { PlayerStatus } from './lineup.js';

/** `YYYY-MM-DD HH:MM:SS+00`, the raw CSVs' timestamp format (UTC). */
export type RawTimestamp = string;

export function rawTimestamp(date: IsoDate, hour: number, minute = 0): RawTimestamp {
  return `${date} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+00`;
}

// One type per raw table, keyed by the column names of RAW_TABLE_SPECS.

export type ScheduleRow = {
  game_id: string; game_date: IsoDate; season_year: number; season_type: SeasonType;
  home_team_abbr: string; away_team_abbr: string; home_score: number | null; away_score: number | null;
  game_status: number; processed_at: RawTimestamp;
};

export type TeamBoxscoreRow = {
  game_id: string; game_date: IsoDate; team_abbr: string; opponent_team_abbr: string; is_home: boolean;
  points: number; fg_made: number; fg_attempted: number; three_pt_made: number; three_pt_attempted: number;
  ft_made: number; ft_attempted: number; offensive_rebounds: number; defensive_rebounds: number; total_rebounds: number;
  assists: number; steals: number; blocks: number; turnovers: number; personal_fouls: number; plus_minus: number;
  processed_at: RawTimestamp;
};

export type GamebookRow = {
  game_id: string; game_date: IsoDate; team_abbr: string; player_lookup: string; player_name: string;
  player_status: PlayerStatus; dnp_reason: string | null; starter: boolean; minutes: string | null;
  points: number | null; fg_made: number | null; fg_attempted: number | null; three_pt_made: number | null;
  three_pt_attempted: number | null; ft_made: number | null; ft_attempted: number | null;
  offensive_rebounds: number | null; defensive_rebounds: number | null; assists: number | null; steals: number | null;
  blocks: number | null; turnovers: number | null; personal_fouls: number | null; plus_minus: number | null;
  processed_at: RawTimestamp;
};

export type PlayerPropRow = {
  game_id: string; game_date: IsoDate; player_lookup: string; bookmaker: string; points_line: number;
  snapshot_timestamp: RawTimestamp;
};

export type GameLineRow = {
  game_id: string; game_date: IsoDate; bookmaker: string; market: Market; team_abbr: string | null;
  point: number; snapshot_timestamp: RawTimestamp;
};

export type InjuryReportRow = {
  report_date: IsoDate; report_timestamp: RawTimestamp; game_id: string; game_date: IsoDate; team_abbr: string;
  player_lookup: string; injury_status: InjuryStatus; reason: string | null;
};

export interface RawRows {
  nbac_schedule: ScheduleRow;
  nbac_team_boxscore: TeamBoxscoreRow;
  nbac_gamebook_player_stats: GamebookRow;
  odds_api_player_points_props: PlayerPropRow;
  odds_api_game_lines: GameLineRow;
  nbac_injury_report: InjuryReportRow;
}

/** Every raw row one game contributes, per table. */
export type GameRecords = { [T in RawTableName]: Array<RawRows[T]> };
