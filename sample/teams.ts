/** The 30 NBA tricodes of 2016-17..2023-24 (the tricodes did not change in that span). */
export const TEAM_ABBRS = [
  'ATL', 'BOS', 'BKN', 'CHA', 'CHI', 'CLE', 'DAL', 'DEN', 'DET', 'GSW',
  'HOU', 'IND', 'LAC', 'LAL', 'MEM', 'MIA', 'MIL', 'MIN', 'NOP', 'NYK',
  'OKC', 'ORL', 'PHI', 'PHX', 'POR', 'SAC', 'SAS', 'TOR', 'UTA', 'WAS',
] as const;
export type TeamAbbr = (typeof TEAM_ABBRS)[number];
export function isTeamAbbr(value: unknown): value is TeamAbbr {
  return typeof value === 'string' && (TEAM_ABBRS as readonly string[]).includes(value);
}

export const CONFERENCES = ['East', 'West'] as const;
export type Conference = (typeof CONFERENCES)[number];

const EAST: ReadonlySet<TeamAbbr> = new Set<TeamAbbr>([
  'ATL', 'BOS', 'BKN', 'CHA', 'CHI', 'CLE', 'DET', 'IND', 'MIA', 'MIL', 'NYK', 'ORL', 'PHI', 'TOR', 'WAS',
]);

export function conferenceOf(team: TeamAbbr): Conference {
  return EAST.has(team) ? 'East' : 'West';
}

export function teamsOf(conference: Conference): TeamAbbr[] {
  return TEAM_ABBRS.filter((t) => conferenceOf(t) === conference);
}
