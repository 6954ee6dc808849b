/**
 * Engines hand numbers back differently (DuckDB: bigint for COUNT, decimals as objects; BigQuery:
 * numbers, Big for NUMERIC). These read them without losing what matters: counts are exact integers.
 */
export function toInt(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = toNumber(value);
  if (n === null || !Number.isSafeInteger(n)) throw new TypeError(`expected an integer count, got ${String(value)}`);
  return n;
}

export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  const n = Number(typeof value === 'object' ? String(value) : value);
  if (Number.isNaN(n)) throw new TypeError(`expected a number, got ${String(value)}`);
  return n;
}

export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}
