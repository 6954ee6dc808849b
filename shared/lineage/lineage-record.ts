import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AnalyticsTableName, RawTableName } from '../tables/names.js';

/**
 * What one partition was built from, stored in its rows' lineage column (LINEAGE_COLUMN) by the job that wrote
 * it: the transform version, and per input (a raw table or an upstream analytics table) a fingerprint of the
 * input's rows the partition reads (see input-fingerprints.ts). Verification recomputes the fingerprints from
 * the inputs as they are now: a partition whose recorded fingerprints differ was built from other inputs.
 */
export interface PartitionLineage {
  /** What the fingerprints are (input-fingerprints.ts), not how the text is written (`encodeLineage`). */
  readonly v: 1;
  /** `<table>@<transformVersion>`. */
  readonly transform: string;
  /** Input name (table) -> 16 hex characters. */
  readonly inputs: Readonly<Record<string, string>>;
}

/**
 * The short name each table goes by in the stored text (`encodeLineage`). Stored in every row of the warehouse:
 * a code never changes and is never reused, or the partitions written before would read as built from other
 * inputs. A table added later gets a new code; a name without one is stored whole (names have an underscore,
 * codes none, so the two never meet).
 */
export const LINEAGE_CODES: Readonly<Record<RawTableName | AnalyticsTableName, string>> = {
  nbac_schedule: 'sch',
  nbac_team_boxscore: 'box',
  nbac_gamebook_player_stats: 'gb',
  odds_api_player_points_props: 'pp',
  odds_api_game_lines: 'gl',
  nbac_injury_report: 'inj',
  player_game_summary: 'pgs',
  team_offense_game_summary: 'tos',
  team_defense_game_summary: 'tds',
  upcoming_team_game_context: 'utc',
  upcoming_player_game_context: 'upc',
};
const CODES_BY_NAME: ReadonlyMap<string, string> = new Map(Object.entries(LINEAGE_CODES));
const NAMES_BY_CODE: ReadonlyMap<string, string> = new Map(Object.entries(LINEAGE_CODES).map(([name, code]) => [code, name]));
const codeOf = (name: string): string => CODES_BY_NAME.get(name) ?? name;
const nameOf = (code: string): string => NAMES_BY_CODE.get(code) ?? code;
/** `<table>@<version>`, its table shortened or restored. */
const mapTransform = (transform: string, map: (name: string) => string): string => {
  const at = transform.lastIndexOf('@');
  return at < 0 ? map(transform) : `${map(transform.slice(0, at))}${transform.slice(at)}`;
};

/** The text written until 2026-12-05: the names in full. Still read, so the partitions it holds stay current. */
const LineageV1Schema = z.object({
  v: z.literal(1),
  transform: z.string(),
  inputs: z.record(z.string(), z.string()),
});
/** The text written now: the same lineage with each table by its code (LINEAGE_CODES). */
const LineageV2Schema = z.object({
  v: z.literal(2),
  t: z.string(),
  i: z.record(z.string(), z.string()),
});

/**
 * Stable text: keys sorted, so the same lineage is always the same string (rows of a partition compare equal). JSON
 * with each table by its code, e.g. `{"v":2,"t":"pgs@1","i":{"gb":"…","pp":"…","sch":"…"}}`. Every row of a partition
 * carries it, through the write's join, sort and insert: with the names in full
 * (`{"v":1,"transform":"player_game_summary@1","inputs":{…}}`, 187 characters for player_game_summary, 324 for
 * upcoming_player_game_context; 98 and 173 with codes) the sample's whole-range writes took 6% more time and CPU
 * (docs/scaling.md, "The lineage text").
 */
export function encodeLineage(lineage: PartitionLineage): string {
  const inputs = Object.fromEntries(Object.entries(lineage.inputs).map(([name, fingerprint]) => [codeOf(name), fingerprint] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ v: 2, t: mapTransform(lineage.transform, codeOf), i: inputs });
}

/**
 * The lineage a text records, in either form (a partition written before the codes reads as the same lineage), or
 * null when the text is neither (then the partition is treated as untracked).
 */
export function decodeLineage(text: string | null): PartitionLineage | null {
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const v2 = LineageV2Schema.safeParse(json);
  if (v2.success) {
    const inputs = Object.fromEntries(Object.entries(v2.data.i).map(([code, fingerprint]) => [nameOf(code), fingerprint] as const));
    return { v: 1, transform: mapTransform(v2.data.t, nameOf), inputs };
  }
  const v1 = LineageV1Schema.safeParse(json);
  return v1.success ? v1.data : null;
}

/** 16 hex characters of SHA-256: the digests the lineage is made of. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Why a partition's lineage says it is not built from the inputs as they are now. */
export type LineageDrift =
  /** Rows without a lineage: written before inputs were tracked, or by hand. */
  | { readonly kind: 'untracked' }
  /** Rows of one date carry different lineages: not written by one job. */
  | { readonly kind: 'mixed' }
  /** Written by another version of the transform. */
  | { readonly kind: 'transform'; readonly recorded: string; readonly current: string }
  /** Inputs whose rows differ from what the partition was built from. */
  | { readonly kind: 'inputs'; readonly inputs: readonly string[] };

/**
 * Pure: compare what a partition's rows recorded (the smallest and largest lineage text over its rows, and
 * whether some rows have none) with its inputs now. Null when it is current.
 */
export interface RecordedLineage {
  readonly min: string | null;
  readonly max: string | null;
  readonly untrackedRows: number;
}

export function lineageDrift(
  recorded: RecordedLineage,
  current: PartitionLineage,
): LineageDrift | null {
  if (recorded.untrackedRows > 0 || recorded.min === null) return { kind: 'untracked' };
  if (recorded.min !== recorded.max) return { kind: 'mixed' };
  const stored = decodeLineage(recorded.min);
  if (stored === null) return { kind: 'untracked' };
  if (stored.transform !== current.transform) return { kind: 'transform', recorded: stored.transform, current: current.transform };
  const names = [...new Set([...Object.keys(stored.inputs), ...Object.keys(current.inputs)])].sort();
  const changed = names.filter((name) => stored.inputs[name] !== current.inputs[name]);
  return changed.length > 0 ? { kind: 'inputs', inputs: changed } : null;
}
