import assert from 'node:assert/strict';
import { SEED_RANGE } from '../../shared/config/defaults.js';
import type { SampleGame } from '../../sample/game.js';
import { TEAM_ABBRS, conferenceOf } from '../../sample/teams.js';
import { diffDays } from '../../shared/util/dates.js';
import { groupBy, wholePlan } from './sample-fixtures.js';

const NORMAL_SEASONS = [2016, 2017, 2018, 2021, 2022, 2023];

function gamesOf(seasonYear: number, seasonType?: SampleGame['seasonType']): SampleGame[] {
  return wholePlan().games.filter((g) => g.seasonYear === seasonYear && (seasonType === undefined || g.seasonType === seasonType));
}

function perTeam(games: readonly SampleGame[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const g of games) for (const t of [g.home, g.away]) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

function teamDates(games: readonly SampleGame[]): Map<string, string[]> {
  const dates = new Map<string, string[]>();
  for (const g of games) for (const t of [g.home, g.away]) dates.set(t, [...(dates.get(t) ?? []), g.gameDate]);
  for (const list of dates.values()) list.sort();
  return dates;
}

describe('sample season schedules', () => {
  it('covers 2016-17 through 2023-24, about 10,200 games, all inside the seed range', () => {
    const { games, seasons } = wholePlan();
    assert.deepEqual(seasons.map((s) => s.seasonYear), [2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023]);
    assert.ok(games.length > 10_100 && games.length < 10_350, `${games.length} games`);
    for (const g of games) assert.ok(g.gameDate >= SEED_RANGE.start && g.gameDate <= SEED_RANGE.end, `${g.gameId} on ${g.gameDate}`);
  });

  it('gives every team 82 regular-season games, 41 at home, in the normal seasons', () => {
    for (const year of NORMAL_SEASONS) {
      const regular = gamesOf(year, 'regular_season');
      assert.equal(regular.length, 1230, `${year}`);
      const counts = perTeam(regular);
      for (const team of TEAM_ABBRS) {
        assert.equal(counts.get(team), 82, `${team} ${year}`);
        assert.equal(regular.filter((g) => g.home === team).length, 41, `${team} ${year} at home`);
      }
      const dates = regular.map((g) => g.gameDate).sort();
      assert.ok(dates[0]! >= `${year}-10-15` && dates[0]! <= `${year}-10-31`, `${year} starts ${dates[0]}`);
      assert.ok(dates.at(-1)! >= `${year + 1}-04-05` && dates.at(-1)! <= `${year + 1}-04-20`, `${year} ends ${dates.at(-1)}`);
    }
  });

  it('gives every team 72 games from 2020-12-22 to 2021-05-16 in 2020-21', () => {
    const regular = gamesOf(2020, 'regular_season');
    assert.equal(regular.length, 1080);
    for (const team of TEAM_ABBRS) assert.equal(perTeam(regular).get(team), 72, team);
    const dates = regular.map((g) => g.gameDate).sort();
    assert.equal(dates[0], '2020-12-22');
    assert.equal(dates.at(-1), '2021-05-16');
  });

  it('stops 2019-20 after 2020-03-11 and restarts with a neutral-site bubble of 22 teams', () => {
    const regular = gamesOf(2019, 'regular_season');
    assert.ok(regular.length > 1020 && regular.length < 1100, `${regular.length} games`);
    const gap = regular.filter((g) => g.gameDate > '2020-03-11' && g.gameDate < '2020-07-30');
    assert.deepEqual(gap, []);
    const bubble = regular.filter((g) => g.gameDate >= '2020-07-30');
    assert.equal(bubble.length, 88);
    assert.ok(bubble.every((g) => g.neutralSite && g.gameDate <= '2020-08-14'));
    const bubbleTeams = perTeam(bubble);
    assert.equal(bubbleTeams.size, 22);
    assert.ok([...bubbleTeams.values()].every((n) => n === 8));
    for (const [team, n] of perTeam(regular)) assert.ok(n >= 58 && n <= 77, `${team} played ${n}`);
  });

  it('plays the 2019-20 playoffs in August to October 2020 and the 2020-21 playoffs into July 2021', () => {
    const bubble = gamesOf(2019, 'playoffs').map((g) => g.gameDate).sort();
    assert.ok(bubble[0]! >= '2020-08-15' && bubble.at(-1)! <= '2020-10-31' && bubble.at(-1)! >= '2020-09-20');
    const covid = gamesOf(2020, 'playoffs').map((g) => g.gameDate).sort();
    assert.ok(covid[0]! >= '2021-05-22' && covid.at(-1)! >= '2021-07-01' && covid.at(-1)! <= '2021-07-31');
  });

  it('holds a six-game play-in from 2020-21 on and none before', () => {
    for (const year of [2016, 2017, 2018, 2019]) assert.equal(gamesOf(year, 'play_in').length, 0, `${year}`);
    for (const year of [2020, 2021, 2022, 2023]) {
      const playIn = gamesOf(year, 'play_in');
      assert.equal(playIn.length, 6, `${year}`);
      const lastRegular = gamesOf(year, 'regular_season').map((g) => g.gameDate).sort().at(-1)!;
      const firstPlayoff = gamesOf(year, 'playoffs').map((g) => g.gameDate).sort()[0]!;
      assert.ok(playIn.every((g) => g.gameDate > lastRegular && g.gameDate < firstPlayoff));
    }
  });

  it('plays four rounds of best-of-seven series between 16 teams every season', () => {
    for (const year of [2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023]) {
      const playoffs = gamesOf(year, 'playoffs');
      assert.ok(playoffs.length >= 60 && playoffs.length <= 105, `${year}: ${playoffs.length} games`);
      assert.equal(perTeam(playoffs).size, 16, `${year}`);
      const series = groupBy(playoffs, (g) => g.gameId.slice(0, 9));
      assert.equal(series.size, 15, `${year}`);
      for (const [id, games] of series) {
        const wins = new Map<string, number>();
        for (const g of games) {
          const w = g.homeScore > g.awayScore ? g.home : g.away;
          wins.set(w, (wins.get(w) ?? 0) + 1);
        }
        assert.ok(games.length >= 4 && games.length <= 7, `${id}`);
        assert.deepEqual([...wins.values()].sort().at(-1), 4, `${id}`);
        assert.equal(new Set(games.flatMap((g) => [g.home, g.away])).size, 2, `${id}`);
      }
      const finals = playoffs.filter((g) => g.gameId.slice(7, 8) === '4');
      assert.notEqual(conferenceOf(finals[0]!.home), conferenceOf(finals[0]!.away), `${year} finals`);
    }
  });

  it('has exactly one NBA Cup final, on 2023-12-09 between the conferences, outside the regular season', () => {
    const finals = wholePlan().games.filter((g) => g.seasonType === 'nba_cup_final');
    assert.equal(finals.length, 1);
    const final = finals[0]!;
    assert.equal(final.gameId, '0062300001');
    assert.equal(final.gameDate, '2023-12-09');
    assert.equal(final.seasonYear, 2023);
    assert.notEqual(conferenceOf(final.home), conferenceOf(final.away));
    assert.ok(!wholePlan().games.some((g) => g.gameDate === '2023-12-09' && g.seasonType === 'regular_season'));
  });

  it('never has a team play twice on one day', () => {
    const seen = new Set<string>();
    for (const g of wholePlan().games) {
      for (const t of [g.home, g.away]) {
        const key = `${g.gameDate} ${t}`;
        assert.ok(!seen.has(key), `${t} twice on ${g.gameDate}`);
        seen.add(key);
      }
    }
  });

  it('has back-to-backs, but never three days in a row, in the regular season', () => {
    for (const year of NORMAL_SEASONS) {
      for (const [team, dates] of teamDates(gamesOf(year, 'regular_season'))) {
        let backToBacks = 0;
        dates.forEach((d, i) => {
          if (i > 0 && diffDays(d, dates[i - 1]!) === 1) backToBacks += 1;
          if (i > 1) assert.ok(diffDays(d, dates[i - 2]!) > 2, `${team} three in a row to ${d}`);
        });
        assert.ok(backToBacks >= 2 && backToBacks <= 25, `${team} ${year}: ${backToBacks} back-to-backs`);
      }
    }
  });

  it('numbers games the NBA.com way: unique, typed by the third digit, the season in the next two', () => {
    const digit = { regular_season: '2', playoffs: '4', play_in: '5', nba_cup_final: '6' } as const;
    const ids = new Set<string>();
    for (const g of wholePlan().games) {
      assert.match(g.gameId, /^00[2456]\d{7}$/);
      assert.equal(g.gameId[2], digit[g.seasonType], g.gameId);
      assert.equal(g.gameId.slice(3, 5), String(g.seasonYear % 100).padStart(2, '0'), g.gameId);
      assert.ok(!ids.has(g.gameId), `duplicate ${g.gameId}`);
      ids.add(g.gameId);
    }
    assert.ok(ids.has('0021600001'));
  });

  it('numbers regular-season games in date order', () => {
    for (const year of [2016, 2019, 2023]) {
      const regular = gamesOf(year, 'regular_season').sort((a, b) => (a.gameId < b.gameId ? -1 : 1));
      regular.forEach((g, i) => {
        assert.equal(Number(g.gameId.slice(5)), i + 1);
        if (i > 0) assert.ok(g.gameDate >= regular[i - 1]!.gameDate, g.gameId);
      });
    }
  });

  it('ends every game with a winner, some after overtime', () => {
    const games = wholePlan().games;
    assert.ok(games.every((g) => g.homeScore !== g.awayScore && g.homeScore >= 60 && g.awayScore >= 60));
    const overtime = games.filter((g) => g.overtimes > 0).length;
    assert.ok(overtime > 100 && overtime < 1000, `${overtime} overtime games`);
  });
});
