/**
 * Reading the plain values the Warehouse port promises (numbers, 'YYYY-MM-DD' and other strings,
 * booleans, null), strictly: anything else is a bug in an adapter, not a value to guess at.
 */
export function toInt(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = toNumber(value);
  if (n === null || !Number.isSafeInteger(n)) throw new TypeError(`expected an integer count, got ${describe(value)}`);
  return n;
}

export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  throw new TypeError(`expected a number, got ${describe(value)}`);
}

export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new TypeError(`expected text, got ${describe(value)}`);
}

function describe(value: unknown): string {
  try {
    return `${typeof value} ${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
  } catch {
    return typeof value;
  }
}
