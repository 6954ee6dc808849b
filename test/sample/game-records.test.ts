import assert from 'node:assert/strict';
import { sampleRecords, planSample } from '../../sample/generate-sample.js';
import { INJURY_STATUSES } from '../../sample/availability.js';
import type { GamebookRow, TeamBoxscoreRow } from '../../sample/raw-rows.js';
import { COVID_YEAR, cachedRecordsOf, groupBy } from './sample-fixtures.js';

const records = () => cachedRecordsOf(COVID_YEAR);
const MINUTES = /^\d{2}:[0-5]\d$/;
const STAT_COLUMNS = [
  'points', 'fg_made', 'fg_attempted', 'three_pt_made', 'three_pt_attempted', 'ft_made', 'ft_attempted',
  'offensive_rebounds', 'defensive_rebounds', 'assists', 'steals', 'blocks', 'turnovers', 'personal_fouls', 'plus_minus',
] as const;
const SUMMED = ['points', 'fg_made', 'fg_attempted', 'three_pt_made', 'three_pt_attempted', 'ft_made', 'ft_attempted',
  'offensive_rebounds', 'defensive_rebounds', 'assists', 'steals', 'blocks', 'turnovers', 'personal_fouls'] as const;

function seconds(minutes: string): number {
  const [m, s] = minutes.split(':').map(Number);
  return (m ?? 0) * 60 + (s ?? 0);
}

function finals() {
  return records().nbac_schedule.filter((r) => r.game_status === 3);
}

function gamebookByTeamGame(): Map<string, GamebookRow[]> {
  return groupBy(records().nbac_gamebook_player_stats, (r) => `${r.game_id} ${r.team_abbr}`);
}

describe('sample game records', function () {
  this.timeout(120_000);

  before(() => {
    records();
  });

  it('writes a pre-game row the day before and a final row the morning after for every game', () => {
    const byGame = groupBy(records().nbac_schedule, (r) => r.game_id);
    assert.ok(byGame.size > 1300, `${byGame.size} games`);
    for (const [id, rows] of byGame) {
      assert.equal(rows.length, 2, id);
      const [pre, final] = rows as [typeof rows[number], typeof rows[number]];
      assert.equal(pre.game_status, 1);
      assert.equal(pre.home_score, null);
      assert.equal(pre.away_score, null);
      assert.equal(final.game_status, 3);
      assert.ok(Number.isInteger(final.home_score) && Number.isInteger(final.away_score));
      assert.ok(pre.processed_at.slice(0, 10) < pre.game_date, id);
      assert.ok(final.processed_at.slice(0, 10) > final.game_date, id);
      assert.ok(pre.processed_at < final.processed_at);
      assert.match(final.processed_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00$/);
    }
  });

  it('makes the schedule final score, the box score points and the sum of gamebook points agree, with no ties', () => {
    const box = groupBy(records().nbac_team_boxscore, (r) => r.game_id);
    const gamebook = gamebookByTeamGame();
    for (const game of finals()) {
      const rows = box.get(game.game_id) ?? [];
      assert.equal(rows.length, 2, game.game_id);
      const home = rows.find((r) => r.is_home) as TeamBoxscoreRow;
      const away = rows.find((r) => !r.is_home) as TeamBoxscoreRow;
      assert.equal(home.team_abbr, game.home_team_abbr);
      assert.equal(away.team_abbr, game.away_team_abbr);
      assert.equal(home.points, game.home_score);
      assert.equal(away.points, game.away_score);
      assert.notEqual(home.points, away.points);
      for (const side of [home, away]) {
        const players = gamebook.get(`${game.game_id} ${side.team_abbr}`) ?? [];
        assert.equal(players.reduce((acc, p) => acc + (p.points ?? 0), 0), side.points, `${game.game_id} ${side.team_abbr}`);
      }
    }
  });

  it('makes every team box stat the sum of its gamebook and plus-minus the margin', () => {
    const gamebook = gamebookByTeamGame();
    const box = groupBy(records().nbac_team_boxscore, (r) => r.game_id);
    for (const row of records().nbac_team_boxscore) {
      const players = gamebook.get(`${row.game_id} ${row.team_abbr}`) ?? [];
      for (const column of SUMMED) {
        assert.equal(players.reduce((acc, p) => acc + (p[column] ?? 0), 0), row[column], `${row.game_id} ${row.team_abbr} ${column}`);
      }
      assert.equal(row.total_rebounds, row.offensive_rebounds + row.defensive_rebounds);
      const opponent = (box.get(row.game_id) ?? []).find((r) => r.team_abbr === row.opponent_team_abbr) as TeamBoxscoreRow;
      assert.equal(row.plus_minus, row.points - opponent.points);
      assert.equal(row.processed_at.slice(0, 10) > row.game_date, true);
    }
  });

  it('lists 13-15 players per team, at least five (and usually nine to twelve) of them active, five starters', () => {
    let nineToTwelve = 0;
    const teamGames = gamebookByTeamGame();
    for (const [key, players] of teamGames) {
      const active = players.filter((p) => p.player_status === 'active');
      assert.ok(players.length >= 13 && players.length <= 15, `${key}: ${players.length} listed`);
      assert.ok(active.length >= 5 && active.length <= 12, `${key}: ${active.length} active`);
      if (active.length >= 9) nineToTwelve += 1;
      const starters = players.filter((p) => p.starter);
      assert.equal(starters.length, 5, key);
      assert.ok(starters.every((p) => p.player_status === 'active'), key);
      assert.equal(new Set(players.map((p) => p.player_lookup)).size, players.length, `${key} lists a player twice`);
    }
    assert.ok(nineToTwelve / teamGames.size > 0.99);
  });

  it('gives active players MM:SS minutes that add up to 240:00 a team, plus 25:00 an overtime', () => {
    const schedule = new Map(finals().map((g) => [g.game_id, g]));
    const byGame = groupBy(records().nbac_gamebook_player_stats.filter((p) => p.player_status === 'active'), (p) => p.game_id);
    let overtimeGames = 0;
    for (const [id, players] of byGame) {
      const totals = [...groupBy(players, (p) => p.team_abbr).values()].map((ps) => ps.reduce((acc, p) => {
        assert.match(p.minutes ?? '', MINUTES);
        assert.ok(seconds(p.minutes ?? '') > 0 && seconds(p.minutes ?? '') <= 73 * 60);
        return acc + seconds(p.minutes ?? '');
      }, 0));
      assert.equal(totals.length, 2);
      assert.equal(totals[0], totals[1], id);
      const overtimes = ((totals[0] ?? 0) - 240 * 60) / (25 * 60);
      assert.ok(Number.isInteger(overtimes) && overtimes >= 0, `${id}: ${totals[0]} s`);
      if (overtimes > 0) overtimeGames += 1;
      assert.ok(schedule.has(id));
    }
    assert.ok(overtimeGames > 0);
  });

  it('keeps every active line consistent: points from the makes, makes within attempts, fouls at most six', () => {
    for (const p of records().nbac_gamebook_player_stats.filter((r) => r.player_status === 'active')) {
      const s = Object.fromEntries(STAT_COLUMNS.map((c) => [c, p[c]])) as Record<(typeof STAT_COLUMNS)[number], number>;
      for (const c of STAT_COLUMNS) assert.ok(Number.isInteger(s[c]), `${p.game_id} ${p.player_lookup} ${c}`);
      assert.equal(s.points, 2 * s.fg_made + s.three_pt_made + s.ft_made);
      assert.ok(s.fg_made <= s.fg_attempted && s.three_pt_made <= s.three_pt_attempted && s.ft_made <= s.ft_attempted);
      assert.ok(s.three_pt_made <= s.fg_made && s.three_pt_attempted <= s.fg_attempted);
      assert.ok(s.personal_fouls <= 6);
      for (const c of STAT_COLUMNS) if (c !== 'plus_minus') assert.ok(s[c] >= 0);
      assert.equal(p.dnp_reason, null);
    }
  });

  it('leaves minutes and stats NULL for DNP and inactive players and gives a reason', () => {
    const benched = records().nbac_gamebook_player_stats.filter((r) => r.player_status !== 'active');
    assert.ok(benched.some((r) => r.player_status === 'dnp' && r.dnp_reason === "DNP - Coach's Decision"));
    assert.ok(benched.some((r) => r.player_status === 'inactive'));
    for (const p of benched) {
      assert.equal(p.minutes, null);
      for (const c of STAT_COLUMNS) assert.equal(p[c], null, `${p.game_id} ${p.player_lookup} ${c}`);
      assert.ok(p.dnp_reason && p.dnp_reason.length > 0);
      assert.equal(p.starter, false);
    }
  });

  it('uses plain lookups, each for one player name', () => {
    const names = new Map<string, string>();
    for (const p of records().nbac_gamebook_player_stats) {
      assert.match(p.player_lookup, /^[a-z0-9]+$/);
      const known = names.get(p.player_lookup);
      assert.ok(known === undefined || known === p.player_name, p.player_lookup);
      names.set(p.player_lookup, p.player_name);
    }
  });

  it('takes several prop snapshots per player and game, all before the game date, only for active players', () => {
    const props = records().odds_api_player_points_props;
    const active = new Set(records().nbac_gamebook_player_stats.filter((p) => p.player_status === 'active').map((p) => `${p.game_id} ${p.player_lookup}`));
    const perPlayerGame = groupBy(props, (r) => `${r.game_id} ${r.player_lookup}`);
    const perGame = groupBy([...perPlayerGame.keys()], (k) => k.split(' ')[0] ?? '');
    assert.equal(perGame.size, finals().length);
    for (const [id, players] of perGame) assert.ok(players.length >= 10 && players.length <= 16, `${id}: ${players.length} players with props`);
    for (const [key, rows] of perPlayerGame) {
      assert.ok(active.has(key), `${key} has props but did not play`);
      assert.ok(new Set(rows.map((r) => r.snapshot_timestamp)).size >= 2, key);
      assert.ok(new Set(rows.map((r) => r.bookmaker)).size >= 2, key);
      for (const r of rows) {
        assert.ok(r.snapshot_timestamp.slice(0, 10) < r.game_date, key);
        assert.ok(r.points_line > 0 && r.points_line * 2 === Math.round(r.points_line * 2), `${key} ${r.points_line}`);
      }
    }
  });

  it('quotes spreads for both sides that cancel and a total, a few snapshots before the game date', () => {
    const schedule = new Map(finals().map((g) => [g.game_id, g]));
    const perGame = groupBy(records().odds_api_game_lines, (r) => r.game_id);
    assert.equal(perGame.size, schedule.size);
    for (const [id, rows] of perGame) {
      const game = schedule.get(id);
      assert.ok(game);
      assert.ok(new Set(rows.map((r) => r.snapshot_timestamp)).size >= 2, id);
      for (const snap of groupBy(rows, (r) => `${r.snapshot_timestamp} ${r.bookmaker}`).values()) {
        const spreads = snap.filter((r) => r.market === 'spreads');
        const totals = snap.filter((r) => r.market === 'totals');
        assert.deepEqual(spreads.map((r) => r.team_abbr).sort(), [game.home_team_abbr, game.away_team_abbr].sort());
        assert.equal((spreads[0]?.point ?? 1) + (spreads[1]?.point ?? 1), 0);
        assert.equal(totals.length, 1);
        assert.equal(totals[0]?.team_abbr, null);
        assert.ok((totals[0]?.point ?? 0) > 150 && (totals[0]?.point ?? 0) < 280);
      }
      for (const r of rows) assert.ok(r.snapshot_timestamp.slice(0, 10) < r.game_date);
    }
  });

  it('reports injuries the day before, for listed players, and keeps players reported out inactive', () => {
    const injuries = records().nbac_injury_report;
    const listed = new Map(records().nbac_gamebook_player_stats.map((p) => [`${p.game_id} ${p.team_abbr} ${p.player_lookup}`, p]));
    assert.ok(injuries.length > 1000);
    const statuses = new Set(injuries.map((r) => r.injury_status));
    for (const s of INJURY_STATUSES) assert.ok(statuses.has(s), `no ${s} in the sample`);
    for (const r of injuries) {
      const player = listed.get(`${r.game_id} ${r.team_abbr} ${r.player_lookup}`);
      assert.ok(player, `${r.game_id} ${r.player_lookup} reported but not listed`);
      assert.ok(r.report_date < r.game_date);
      assert.equal(r.report_timestamp.slice(0, 10), r.report_date);
      if (r.injury_status === 'out') assert.equal(player.player_status, 'inactive', `${r.game_id} ${r.player_lookup}`);
    }
  });

  it('makes the same rows for a game whatever range is asked for', () => {
    const narrow = { start: '2021-02-01', end: '2021-02-03' };
    const subset = [...sampleRecords(planSample(narrow))];
    assert.ok(subset.length > 10);
    const wide = records();
    for (const { game, records: rows } of subset) {
      assert.deepEqual(rows.nbac_gamebook_player_stats, wide.nbac_gamebook_player_stats.filter((r) => r.game_id === game.gameId));
      assert.deepEqual(rows.nbac_injury_report, wide.nbac_injury_report.filter((r) => r.game_id === game.gameId));
      assert.deepEqual(rows.odds_api_player_points_props, wide.odds_api_player_points_props.filter((r) => r.game_id === game.gameId));
    }
  });
});
