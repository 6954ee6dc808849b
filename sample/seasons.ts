import type { IsoDate } from '../shared/util/dates.js';

/**
 * The calendar of each season the sample covers, close to the real one: the regular-season window,
 * the All-Star break, the 2019-20 stop and bubble restart, the play-in (from 2020-21), the start of
 * the playoffs, and the 2023-24 NBA Cup final.
 */
export interface SampleSeason {
  /** First year of the season: 2016 for 2016-17. */
  readonly seasonYear: number;
  readonly regularStart: IsoDate;
  /** Last day of the planned regular season (2019-20: as planned before the stop). */
  readonly regularEnd: IsoDate;
  readonly gamesPerTeam: 82 | 72;
  /** Days without games: the All-Star break, Friday to Wednesday. */
  readonly allStarBreak: { readonly start: IsoDate; readonly end: IsoDate };
  /** 2019-20: play stopped after this date; later planned games were never played. */
  readonly stoppedAfter?: IsoDate;
  /** 2019-20: the bubble's seeding games (the best `teams` teams, `gamesPerTeam` each, at a neutral site). */
  readonly restart?: { readonly start: IsoDate; readonly end: IsoDate; readonly teams: number; readonly gamesPerTeam: number };
  /** First day of the play-in tournament (four days: East, West, East, West); none before 2020-21. */
  readonly playInStart?: IsoDate;
  readonly playoffsStart: IsoDate;
  /** The NBA Cup final (2023-24 on): a neutral-site game outside the regular-season record. */
  readonly cupFinal?: IsoDate;
  /** League points per team-game that season, for the score model. */
  readonly averagePoints: number;
}

export const SAMPLE_SEASONS: readonly SampleSeason[] = [
  {
    seasonYear: 2016, regularStart: '2016-10-25', regularEnd: '2017-04-12', gamesPerTeam: 82,
    allStarBreak: { start: '2017-02-17', end: '2017-02-22' }, playoffsStart: '2017-04-15', averagePoints: 105.6,
  },
  {
    seasonYear: 2017, regularStart: '2017-10-17', regularEnd: '2018-04-11', gamesPerTeam: 82,
    allStarBreak: { start: '2018-02-16', end: '2018-02-21' }, playoffsStart: '2018-04-14', averagePoints: 106.3,
  },
  {
    seasonYear: 2018, regularStart: '2018-10-16', regularEnd: '2019-04-10', gamesPerTeam: 82,
    allStarBreak: { start: '2019-02-15', end: '2019-02-20' }, playoffsStart: '2019-04-13', averagePoints: 111.2,
  },
  {
    seasonYear: 2019, regularStart: '2019-10-22', regularEnd: '2020-04-15', gamesPerTeam: 82,
    allStarBreak: { start: '2020-02-14', end: '2020-02-19' }, stoppedAfter: '2020-03-11',
    restart: { start: '2020-07-30', end: '2020-08-14', teams: 22, gamesPerTeam: 8 },
    playoffsStart: '2020-08-17', averagePoints: 111.8,
  },
  {
    seasonYear: 2020, regularStart: '2020-12-22', regularEnd: '2021-05-16', gamesPerTeam: 72,
    allStarBreak: { start: '2021-03-05', end: '2021-03-09' }, playInStart: '2021-05-18', playoffsStart: '2021-05-22',
    averagePoints: 112.1,
  },
  {
    seasonYear: 2021, regularStart: '2021-10-19', regularEnd: '2022-04-10', gamesPerTeam: 82,
    allStarBreak: { start: '2022-02-18', end: '2022-02-23' }, playInStart: '2022-04-12', playoffsStart: '2022-04-16',
    averagePoints: 110.6,
  },
  {
    seasonYear: 2022, regularStart: '2022-10-18', regularEnd: '2023-04-09', gamesPerTeam: 82,
    allStarBreak: { start: '2023-02-17', end: '2023-02-22' }, playInStart: '2023-04-11', playoffsStart: '2023-04-15',
    averagePoints: 114.7,
  },
  {
    seasonYear: 2023, regularStart: '2023-10-24', regularEnd: '2024-04-14', gamesPerTeam: 82,
    allStarBreak: { start: '2024-02-16', end: '2024-02-21' }, playInStart: '2024-04-16', playoffsStart: '2024-04-20',
    cupFinal: '2023-12-09', averagePoints: 114.2,
  },
];

export function sampleSeason(seasonYear: number): SampleSeason {
  const season = SAMPLE_SEASONS.find((s) => s.seasonYear === seasonYear);
  if (!season) throw new RangeError(`the sample has no ${seasonYear} season`);
  return season;
}
