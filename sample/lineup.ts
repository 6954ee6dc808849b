import type { PlayerAvailability } from './availability.js';
import { PLAYER_STATUSES, type PlayerStatus } from '../shared/tables/raw-schemas.js';
import type { Rng } from './prng.js';
import type { RosterPlayer, TeamSeasonRoster } from './rosters.js';

export { PLAYER_STATUSES, type PlayerStatus };

export interface LineupEntry {
  readonly player: RosterPlayer;
  readonly status: PlayerStatus;
  readonly starter: boolean;
  readonly dnpReason: string | null;
}

export interface TeamLineup {
  /** The gamebook's list: starters, bench in rotation order, then DNPs, then inactives. */
  readonly listed: readonly LineupEntry[];
  /** The players who played, starters first, in rotation order. */
  readonly active: readonly RosterPlayer[];
}

/** Teams dress at most 13. */
const DRESSED_MAX = 13;
const MIN_ACTIVE = 5;
const MAX_ACTIVE = 12;

/**
 * Who is listed, dressed and played for one team in one game. Players who do not dress per the
 * availability are inactive; up to two healthy end-of-bench players are left off the list; of the
 * dressed, the rotation (rank with a little noise) decides who plays and who gets a coach's DNP.
 */
export function teamLineup(rng: Rng, roster: TeamSeasonRoster, availability: ReadonlyMap<string, PlayerAvailability>, blowout: boolean): TeamLineup {
  // Enough are listed that at least ten can dress.
  const notDressing = roster.players.filter((p) => availability.get(p.player.lookup)?.dresses === false).length;
  const listedCount = Math.max(rng.weighted([[13, 0.2], [14, 0.3], [15, 0.5]]), Math.min(roster.players.length, notDressing + 10));
  const unlisted = new Set<string>();
  for (let i = roster.players.length - 1; i >= 0 && roster.players.length - unlisted.size > listedCount; i -= 1) {
    const p = roster.players[i];
    if (p && !availability.has(p.player.lookup)) unlisted.add(p.player.lookup);
  }
  const listed = roster.players.filter((p) => !unlisted.has(p.player.lookup));
  const inactive: LineupEntry[] = [];
  const dressable: Array<{ p: RosterPlayer; key: number }> = [];
  for (const p of listed) {
    const a = availability.get(p.player.lookup);
    if (a && !a.dresses) inactive.push({ player: p, status: 'inactive', starter: false, dnpReason: a.inactiveReason });
    else dressable.push({ p, key: p.skill + rng.normal(0, 0.3) });
  }
  dressable.sort((x, y) => y.key - x.key);
  const dressed = dressable.slice(0, DRESSED_MAX).map((d) => d.p);
  for (const { p } of dressable.slice(DRESSED_MAX)) inactive.push({ player: p, status: 'inactive', starter: false, dnpReason: 'NWT - G League Two-Way' });

  const wanted = Math.min(MAX_ACTIVE, rng.weighted([[9, 0.15], [10, 0.3], [11, 0.3], [12, 0.25]]) + (blowout ? 2 : 0));
  const activeCount = Math.min(wanted, dressed.length);
  if (activeCount < MIN_ACTIVE) throw new Error(`${roster.team} has only ${activeCount} players able to play`);
  const active = dressed.slice(0, activeCount);
  const entries: LineupEntry[] = [
    ...active.map((p, i) => ({ player: p, status: 'active' as const, starter: i < 5, dnpReason: null })),
    ...dressed.slice(activeCount).map((p) => ({ player: p, status: 'dnp' as const, starter: false, dnpReason: "DNP - Coach's Decision" })),
    ...inactive,
  ];
  return { listed: entries, active };
}
