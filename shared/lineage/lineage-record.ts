import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What one partition was built from, stored in its rows' lineage column (LINEAGE_COLUMN) by the job that wrote
 * it: the transform version, and per input (a raw table or an upstream analytics table) a fingerprint of the
 * input's rows the partition reads (see input-fingerprints.ts). Verification recomputes the fingerprints from
 * the inputs as they are now: a partition whose recorded fingerprints differ was built from other inputs.
 */
export interface PartitionLineage {
  readonly v: 1;
  /** `<table>@<transformVersion>`. */
  readonly transform: string;
  /** Input name (table) -> 16 hex characters. */
  readonly inputs: Readonly<Record<string, string>>;
}

const LineageSchema = z.object({
  v: z.literal(1),
  transform: z.string(),
  inputs: z.record(z.string(), z.string()),
});

/** Stable text: keys sorted, so the same lineage is always the same string (rows of a partition compare equal). */
export function encodeLineage(lineage: PartitionLineage): string {
  const inputs = Object.fromEntries(Object.entries(lineage.inputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ v: lineage.v, transform: lineage.transform, inputs });
}

/** Null when the text is not a lineage this version writes (then the partition is treated as untracked). */
export function decodeLineage(text: string | null): PartitionLineage | null {
  if (text === null) return null;
  try {
    const parsed = LineageSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
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
