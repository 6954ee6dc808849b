import type { PartitionLineage } from '../../shared/lineage/lineage-record.js';

/**
 * The lineage text every partition was written with before 2026-12-05 (tables by their names in full, keys sorted),
 * as the rows of a warehouse written then still hold it: the one form the tests write it in.
 */
export function lineageTextInFull(lineage: PartitionLineage): string {
  const inputs = Object.fromEntries(Object.entries(lineage.inputs).sort(([a], [b]) => (a < b ? -1 : 1)));
  return JSON.stringify({ v: 1, transform: lineage.transform, inputs });
}
