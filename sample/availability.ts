import { Rng } from './prng.js';
import { INJURY_STATUSES, type InjuryStatus } from '../shared/tables/raw-schemas.js';
import type { RosterPlayer } from './rosters.js';

export { INJURY_STATUSES, type InjuryStatus };

/** What the injury report says about one player before one game, and whether he then dresses. */
export interface PlayerAvailability {
  /** The final report, the evening before the game. */
  readonly status: InjuryStatus;
  /** An earlier report the same day, when his status changed since. */
  readonly earlierStatus: InjuryStatus | null;
  readonly reason: string | null;
  /** False: inactive in the gamebook. Always false when `status` or `earlierStatus` is `out`. */
  readonly dresses: boolean;
  /** The gamebook's `dnp_reason` when he does not dress. */
  readonly inactiveReason: string;
}

const BODY_PARTS = ['Ankle', 'Knee', 'Hamstring', 'Calf', 'Hip', 'Foot', 'Wrist', 'Shoulder', 'Groin', 'Quad', 'Hand', 'Achilles'] as const;
const INJURY_KINDS = ['Sprain', 'Strain', 'Soreness', 'Contusion', 'Tendinitis'] as const;

function injuryReason(rng: Rng): string {
  if (rng.chance(0.08)) return 'Injury/Illness - Illness';
  if (rng.chance(0.08)) return `Injury/Illness - Lower Back; ${rng.pick(['Soreness', 'Spasms'])}`;
  return `Injury/Illness - ${rng.pick(['Left', 'Right'])} ${rng.pick(BODY_PARTS)}; ${rng.pick(INJURY_KINDS)}`;
}

interface Absence {
  gamesLeft: number;
  /** Games missed so far; the first one may follow an earlier "questionable". */
  missed: number;
  readonly reason: string;
  readonly inactiveReason: string;
  /** Injuries end with a "questionable" game; other absences just end. */
  readonly injury: boolean;
}

/** Absences at once: with the gamebook listing enough players, a team nearly always dresses ten or more. */
const MAX_OUT = 4;

/**
 * A team's availability through one season, game by game: injuries that last one game or a month,
 * personal absences, rest days, health-and-safety protocols in 2020-21 and 2021-22, and day-to-day
 * tags that mostly end with the player dressing. Call `next` once per team game, in date order;
 * the team-season has its own random stream, so other teams' games do not change it.
 */
export class TeamAvailability {
  private readonly rng: Rng;
  private readonly absences = new Map<string, Absence>();

  constructor(
    seed: number,
    team: string,
    private readonly seasonYear: number,
    private readonly players: readonly RosterPlayer[],
  ) {
    this.rng = Rng.for(seed, 'availability', team, seasonYear);
  }

  next(): Map<string, PlayerAvailability> {
    const rng = this.rng;
    const report = new Map<string, PlayerAvailability>();
    this.startAbsences();
    for (const { player } of this.players) {
      const absence = this.absences.get(player.lookup);
      if (absence) {
        report.set(player.lookup, this.absenceReport(absence));
        absence.gamesLeft -= 1;
        absence.missed += 1;
        if (absence.gamesLeft <= 0) this.absences.delete(player.lookup);
        continue;
      }
      const tag = rng.next();
      if (tag < 0.03) {
        const dresses = rng.chance(0.8);
        report.set(player.lookup, { status: 'questionable', earlierStatus: null, reason: injuryReason(rng), dresses, inactiveReason: 'DND - Injury/Illness' });
      } else if (tag < 0.07) {
        report.set(player.lookup, { status: 'probable', earlierStatus: null, reason: injuryReason(rng), dresses: rng.chance(0.97), inactiveReason: 'DND - Injury/Illness' });
      } else if (tag < 0.085) {
        report.set(player.lookup, { status: 'available', earlierStatus: 'questionable', reason: rng.chance(0.5) ? injuryReason(rng) : null, dresses: true, inactiveReason: 'DND - Injury/Illness' });
      }
    }
    return report;
  }

  private absenceReport(absence: Absence): PlayerAvailability {
    const rng = this.rng;
    if (absence.injury && absence.gamesLeft === 1 && absence.missed > 0) {
      // The last game of an injury: a game-time decision.
      const status = rng.chance(0.7) ? 'questionable' : 'doubtful';
      const dresses = rng.chance(status === 'questionable' ? 0.6 : 0.2);
      // Upgraded during the day; a player ever reported out does not dress, so the earlier word is "doubtful" if he does.
      const earlierStatus = rng.chance(0.3) ? (dresses ? 'doubtful' : 'out') : null;
      return { status, earlierStatus: earlierStatus === status ? null : earlierStatus, reason: absence.reason, dresses, inactiveReason: absence.inactiveReason };
    }
    const earlierStatus = absence.missed === 0 && absence.injury && rng.chance(0.4) ? 'questionable' : null;
    return { status: 'out', earlierStatus, reason: absence.reason, dresses: false, inactiveReason: absence.inactiveReason };
  }

  private startAbsences(): void {
    const rng = this.rng;
    const protocols = this.seasonYear === 2020 || this.seasonYear === 2021;
    this.players.forEach(({ player }, rank) => {
      if (this.absences.has(player.lookup) || this.absences.size >= MAX_OUT) return;
      const roll = rng.next();
      if (roll < 0.012) {
        const long = rng.chance(0.12);
        const games = 1 + Math.floor(-Math.log(1 - rng.next()) * (long ? 18 : 3));
        this.absences.set(player.lookup, { gamesLeft: games + 1, missed: 0, reason: injuryReason(rng), inactiveReason: 'DND - Injury/Illness', injury: true });
      } else if (roll < 0.014) {
        this.absences.set(player.lookup, { gamesLeft: rng.int(1, 2), missed: 0, reason: 'Personal Reasons', inactiveReason: 'NWT - Personal', injury: false });
      } else if (protocols && roll < 0.018) {
        this.absences.set(player.lookup, { gamesLeft: rng.int(3, 8), missed: 0, reason: 'Health and Safety Protocols', inactiveReason: 'NWT - Health and Safety Protocols', injury: false });
      } else if (rank < 5 && this.seasonYear >= 2017 && roll > 0.996) {
        this.absences.set(player.lookup, { gamesLeft: 1, missed: 0, reason: 'Rest', inactiveReason: 'DND - Rest', injury: false });
      }
    });
  }
}
