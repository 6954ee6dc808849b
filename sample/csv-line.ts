/**
 * One CSV line in the raw-table format (../../shared/data/README.md): NULL is an empty field,
 * booleans are true/false, and a field is quoted only when it holds a comma, a quote or a line break.
 */
export type CsvValue = string | number | boolean | null;

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return String(value);
  }
  if (value === '') throw new RangeError('an empty string would read back as NULL');
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The row's values in `columns` order; a missing column is a bug, not a NULL. */
export function csvLine(columns: readonly string[], row: object): string {
  const values = row as Record<string, CsvValue | undefined>;
  let line = '';
  for (let i = 0; i < columns.length; i += 1) {
    const column = columns[i] as string;
    const value = values[column];
    if (value === undefined) throw new RangeError(`row has no column ${column}`);
    line += i === 0 ? csvField(value) : `,${csvField(value)}`;
  }
  return line;
}
