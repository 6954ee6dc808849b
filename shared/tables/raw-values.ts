import type { ColumnSpec } from './types.js';

/**
 * Whether one raw CSV value fits its column of the contract: its type, its domain, NULL only where
 * allowed. Pure and strict: the loader reads a file only after every value passed, so DuckDB's
 * lenient reader (which rounds `130.7` into an INT64 and reads a DATE from the start of a field)
 * never decides. The problem never quotes a value that is not short printable text.
 */

const INT64 = /^-?\d{1,19}$/;
const INT64_MAX = 9223372036854775807n;
/** NUMERIC as the warehouses hold it: up to 29 digits before the point and 9 after (BigQuery NUMERIC). */
const NUMERIC = /^-?\d{1,29}(\.\d{1,9})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** `2016-10-24 12:00:00+00` (the contract's format), with optional fraction, `T`, `Z` or `+hh:mm`. */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)?$/;
/** Characters that are not printable text: C0 controls (a stray \r, a NUL), DEL, C1 controls, and U+FFFD (bytes that are not UTF-8). */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const NOT_PRINTABLE = /[\u0000-\u001f\u007f-\u009f\ufffd]/;
const NOT_PRINTABLE_ALL = new RegExp(NOT_PRINTABLE.source, 'g');
/** The same, but a line break (\n or \r\n) inside a quoted text value is text. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const NOT_TEXT = /\r(?!\n)|[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]/;

/** The problem with `value` in `column`, or undefined when it fits. `value` is the CSV field; '' is NULL. */
export function rawValueProblem(column: ColumnSpec, value: string): string | undefined {
  const bad = NOT_TEXT.exec(value);
  if (bad) return `holds ${describeCharacter(bad[0])} at character ${bad.index + 1}, which is not printable text${bad[0] === '\r' ? ' (lines end with \\n or \\r\\n; a lone \\r is not a line end)' : ''}`;
  if (value === '') return column.nullable ? undefined : 'is empty, and the contract says it is never NULL';
  const shown = (): string => quoted(value);
  switch (column.type) {
    case 'INT64':
      // Below 19 characters every integer fits; BigInt only for the long ones (it is slow, and rows are many).
      if (!INT64.test(value) || (value.length >= 19 && (BigInt(value) > INT64_MAX || BigInt(value) < -INT64_MAX - 1n))) {
        return `is not a whole number (INT64): ${shown()}`;
      }
      break;
    case 'NUMERIC':
      if (!NUMERIC.test(value)) return `is not a decimal number like 12.5 (NUMERIC): ${shown()}`;
      break;
    case 'BOOL':
      if (value !== 'true' && value !== 'false') return `is not true or false (BOOL): ${shown()}`;
      break;
    case 'DATE':
      if (!isCalendarDate(value)) return `is not a date written YYYY-MM-DD: ${shown()}`;
      break;
    case 'TIMESTAMP': {
      const m = TIMESTAMP.exec(value);
      if (!m || !isCalendarDate(m[1] ?? '') || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 59) {
        return `is not a timestamp like 2016-10-24 12:00:00+00: ${shown()}`;
      }
      break;
    }
    case 'STRING':
      break;
  }
  if (column.allowed && !column.allowed.includes(value)) return `is ${shown()}; the contract allows ${column.allowed.join(', ')}`;
  return undefined;
}

/** Dates seen, by text: a file repeats a few thousand of them over a million rows. */
const calendarDates = new Map<string, boolean>();
const CALENDAR_CACHE_LIMIT = 100_000;

function isCalendarDate(value: string): boolean {
  const known = calendarDates.get(value);
  if (known !== undefined) return known;
  const m = DATE.exec(value);
  let valid = false;
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    valid = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
  }
  if (calendarDates.size < CALENDAR_CACHE_LIMIT) calendarDates.set(value, valid);
  return valid;
}

/** A value in a message: quoted when short, else its length only. */
export function quoted(value: string): string {
  return value.length <= 40 ? `"${printable(value)}"` : `a value of ${value.length} characters`;
}

function describeCharacter(char: string): string {
  if (char === '\r') return 'a carriage return (\\r)';
  if (char === '\ufffd') return 'bytes that are not UTF-8';
  return `the control character U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Text safe to print: printable characters only, at most `max` of them. */
export function printable(text: string, max = 80): string {
  const clean = text.replace(NOT_PRINTABLE_ALL, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
