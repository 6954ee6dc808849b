import { addDaysIso } from '../shared/util/dates.js';
import { at, sum } from './arrays.js';
import type { InjuryStatus, PlayerAvailability } from './availability.js';
import { boxScores, type PlayerLine } from './box-score.js';
import type { SampleGame } from './game.js';
import { teamLineup, type TeamLineup } from './lineup.js';
import { gameLines, playerProps } from './market-lines.js';
import { Rng } from './prng.js';
import { rawTimestamp, type GameRecords, type GamebookRow, type InjuryReportRow, type ScheduleRow, type TeamBoxscoreRow } from './raw-rows.js';
import type { TeamSeasonRoster } from './rosters.js';
import { expectedPoints } from './scores.js';
import type { SampleSeason } from './seasons.js';

export interface TeamGameInput {
  readonly roster: TeamSeasonRoster;
  readonly availability: ReadonlyMap<string, PlayerAvailability>;
}

export function formatMinutes(seconds: number): string {
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * Every raw row of one final game: two schedule rows (pre-game and final), both box scores, the
 * gamebook, the injury reports and the betting markets. The box score is the sum of the gamebook
 * and its points are the schedule's final score.
 */
export function gameRecords(seed: number, season: SampleSeason, game: SampleGame, home: TeamGameInput, away: TeamGameInput): GameRecords {
  const rng = Rng.for(seed, 'game', game.gameId);
  const blowout = Math.abs(game.homeScore - game.awayScore) >= 20;
  const lineups = [teamLineup(rng, home.roster, home.availability, blowout), teamLineup(rng, away.roster, away.availability, blowout)] as const;
  const lines = boxScores(rng, [{ active: lineups[0].active, points: game.homeScore }, { active: lineups[1].active, points: game.awayScore }], game.overtimes);
  const sides = [
    { team: game.home, opponent: game.away, isHome: true, lineup: lineups[0], lines: lines[0], input: home },
    { team: game.away, opponent: game.home, isHome: false, lineup: lineups[1], lines: lines[1], input: away },
  ];
  const after = addDaysIso(game.gameDate, 1);
  const days = { dayBefore: addDaysIso(game.gameDate, -1), twoDaysBefore: addDaysIso(game.gameDate, -2) };

  const expected = expectedPoints({
    homeRating: home.roster.rating,
    awayRating: away.roster.rating,
    averagePoints: season.averagePoints,
    neutralSite: game.neutralSite,
    playoffs: game.seasonType === 'playoffs',
  });

  return {
    nbac_schedule: [
      scheduleRow(game, false, rawTimestamp(days.dayBefore, 12)),
      scheduleRow(game, true, rawTimestamp(after, 8)),
    ],
    nbac_team_boxscore: sides.map((s, i) => teamBoxRow(game, s.team, s.opponent, s.isHome, s.lines, at(sides, 1 - i).lines, rawTimestamp(after, 9))),
    nbac_gamebook_player_stats: sides.flatMap((s) => gamebookRows(game, s.team, s.lineup, s.lines, rawTimestamp(after, 10))),
    odds_api_player_points_props: playerProps(Rng.for(seed, 'props', game.gameId), game, days, [
      { active: lineups[0].active, expectedPoints: expected.home },
      { active: lineups[1].active, expectedPoints: expected.away },
    ]),
    odds_api_game_lines: gameLines(Rng.for(seed, 'lines', game.gameId), game, days, expected.home - expected.away, expected.home + expected.away),
    nbac_injury_report: sides.flatMap((s) => injuryRows(game, days.dayBefore, s.team, s.lineup, s.input.availability)),
  };
}

/** The scraper's row before the game (scheduled, no score) or after it (final). */
function scheduleRow(game: SampleGame, final: boolean, processedAt: string): ScheduleRow {
  return {
    game_id: game.gameId,
    game_date: game.gameDate,
    season_year: game.seasonYear,
    season_type: game.seasonType,
    home_team_abbr: game.home,
    away_team_abbr: game.away,
    home_score: final ? game.homeScore : null,
    away_score: final ? game.awayScore : null,
    game_status: final ? 3 : 1,
    processed_at: processedAt,
  };
}

function teamBoxRow(game: SampleGame, team: string, opponent: string, isHome: boolean, lines: readonly PlayerLine[], opponentLines: readonly PlayerLine[], processedAt: string): TeamBoxscoreRow {
  const total = (f: (l: PlayerLine) => number) => sum(lines.map(f));
  const points = total((l) => l.points);
  const oreb = total((l) => l.offensiveRebounds);
  const dreb = total((l) => l.defensiveRebounds);
  return {
    game_id: game.gameId,
    game_date: game.gameDate,
    team_abbr: team,
    opponent_team_abbr: opponent,
    is_home: isHome,
    points,
    fg_made: total((l) => l.fgMade),
    fg_attempted: total((l) => l.fgAttempted),
    three_pt_made: total((l) => l.threeMade),
    three_pt_attempted: total((l) => l.threeAttempted),
    ft_made: total((l) => l.ftMade),
    ft_attempted: total((l) => l.ftAttempted),
    offensive_rebounds: oreb,
    defensive_rebounds: dreb,
    total_rebounds: oreb + dreb,
    assists: total((l) => l.assists),
    steals: total((l) => l.steals),
    blocks: total((l) => l.blocks),
    turnovers: total((l) => l.turnovers),
    personal_fouls: total((l) => l.personalFouls),
    plus_minus: points - sum(opponentLines.map((l) => l.points)),
    processed_at: processedAt,
  };
}

function gamebookRows(game: SampleGame, team: string, lineup: TeamLineup, lines: readonly PlayerLine[], processedAt: string): GamebookRow[] {
  let activeIndex = 0;
  return lineup.listed.map((entry): GamebookRow => {
    const line = entry.status === 'active' ? at(lines, activeIndex++) : null;
    return {
      game_id: game.gameId,
      game_date: game.gameDate,
      team_abbr: team,
      player_lookup: entry.player.player.lookup,
      player_name: entry.player.player.name,
      player_status: entry.status,
      dnp_reason: entry.dnpReason,
      starter: entry.starter,
      minutes: line ? formatMinutes(line.seconds) : null,
      points: line?.points ?? null,
      fg_made: line?.fgMade ?? null,
      fg_attempted: line?.fgAttempted ?? null,
      three_pt_made: line?.threeMade ?? null,
      three_pt_attempted: line?.threeAttempted ?? null,
      ft_made: line?.ftMade ?? null,
      ft_attempted: line?.ftAttempted ?? null,
      offensive_rebounds: line?.offensiveRebounds ?? null,
      defensive_rebounds: line?.defensiveRebounds ?? null,
      assists: line?.assists ?? null,
      steals: line?.steals ?? null,
      blocks: line?.blocks ?? null,
      turnovers: line?.turnovers ?? null,
      personal_fouls: line?.personalFouls ?? null,
      plus_minus: line?.plusMinus ?? null,
      processed_at: processedAt,
    };
  });
}

/**
 * The injury report rows for a team's game: the final report the evening before, and for players
 * whose status changed that day, the earlier one. Only listed players are reported.
 */
function injuryRows(game: SampleGame, reportDate: string, team: string, lineup: TeamLineup, availability: ReadonlyMap<string, PlayerAvailability>): InjuryReportRow[] {
  const rows: InjuryReportRow[] = [];
  for (const entry of lineup.listed) {
    const a = availability.get(entry.player.player.lookup);
    if (!a) continue;
    const row = (timestamp: string, status: InjuryStatus): InjuryReportRow => ({
      report_date: reportDate, report_timestamp: timestamp, game_id: game.gameId, game_date: game.gameDate, team_abbr: team,
      player_lookup: entry.player.player.lookup, injury_status: status, reason: a.reason,
    });
    if (a.earlierStatus) rows.push(row(rawTimestamp(reportDate, 13, 30), a.earlierStatus));
    rows.push(row(rawTimestamp(reportDate, 21, 30), a.status));
  }
  return rows;
}
