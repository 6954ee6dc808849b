import { AssertionError } from 'node:assert';
import sqlParser from 'node-sql-parser';

/**
 * A static check that SQL rendered for BigQuery is GoogleSQL, without a BigQuery project: node-sql-parser's
 * `bigquery` grammar parses it, and nothing DuckDB-only slipped into it. A parse is not a dry run (it knows
 * no schemas or function signatures), but it catches what a shared query most often gets wrong: a construct
 * that one engine has and the other lacks.
 *
 * node-sql-parser 5.x does not know every GoogleSQL statement. Where it cannot parse a valid construct this
 * module never skips it: the statement is checked another way, as narrowly as possible (see PARSER_GAPS).
 */

/** Valid GoogleSQL that node-sql-parser 5.4 rejects, and what this module does about it. */
export const PARSER_GAPS = [
  {
    construct: 'BEGIN TRANSACTION / COMMIT TRANSACTION / ROLLBACK TRANSACTION',
    handling: 'accepted only as the exact keyword statement; there is nothing else in them to parse',
  },
  {
    construct: 'ASSERT <expression> [AS \'description\']',
    handling: 'the expression is parsed as `SELECT (<expression>) AS assertion`; the description must be one string literal',
  },
  {
    construct: 'MERGE <target> [AS t] USING <source> [AS s] ON <condition> WHEN ...',
    handling: 'the statement shape is matched clause by clause, and every expression in it is parsed inside a SELECT '
      + 'over the same target and source; a MERGE shape outside that grammar fails the check',
  },
  {
    construct: 'DELETE FROM <table> AS <alias> WHERE ...',
    handling: 'not used by the adapter (its MERGE delete condition is checked as a SELECT); write DELETE without an alias',
  },
  {
    construct: 'ARRAY_AGG(x ORDER BY y LIMIT n): ORDER BY and LIMIT inside the call',
    handling: 'the ORDER BY list is parsed as the ORDER BY of a SELECT, LIMIT must be a whole number, and the call is '
      + 'then parsed as ARRAY_AGG(x) (the clauses blanked in place, so a later error still points at its column)',
  },
  {
    construct: 'FIRST_VALUE / LAST_VALUE / NTH_VALUE(x IGNORE NULLS) and RESPECT NULLS',
    handling: 'the modifier, last in the call, is blanked in place and the call parsed without it',
  },
  {
    construct: 'ARRAY_AGG(DISTINCT x), or ORDER BY / LIMIT inside another aggregate',
    handling: 'not supported: fails the check. Equivalent: ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) in a '
      + 'subquery, then filter rn <= n (and ARRAY_AGG(x) or MAX(IF(rn = 1, x, NULL)) outside)',
  },
  {
    construct: 'QUALIFY without WHERE, GROUP BY or HAVING in the same SELECT',
    handling: 'not supported: fails the check. Equivalent: add `WHERE TRUE`, or filter the window column in an outer SELECT',
  },
] as const;

const { Parser } = sqlParser;
const parser = new Parser();
const BIGQUERY = { database: 'bigquery' } as const;

/**
 * Throws an AssertionError naming the statement, line and column when `sql` (one statement or a script) is
 * not GoogleSQL as node-sql-parser's bigquery grammar reads it, with the gaps of PARSER_GAPS handled.
 */
export function assertParsesAsBigQuery(sql: string, label = 'query'): void {
  const statements = splitStatements(sql);
  if (statements.length === 0) fail(label, 'no SQL statement found');
  statements.forEach((statement, i) => {
    const name = statements.length > 1 ? `${label}, statement ${i + 1}` : label;
    checkStatement(statement, name);
  });
}

/** `sql` rendered for BigQuery carries nothing that only DuckDB understands. */
export function assertNoDuckDbIsms(sql: string, label = 'query'): void {
  assertNoneOf(sql, label, 'DuckDB-only', [
    ['a $parameter', /\$[A-Za-z_]\w*/],
    ['TRY_CAST (BigQuery: SAFE_CAST)', /\bTRY_CAST\s*\(/i],
    ['STRFTIME (BigQuery: FORMAT_DATE)', /\bSTRFTIME\s*\(/i],
    ['LIST( (BigQuery: ARRAY_AGG)', /\bLIST\s*\(/i],
    ['COUNT_IF (BigQuery: COUNTIF)', /\bCOUNT_IF\s*\(/i],
    ['a :: cast', /::/],
    ['TIMESTAMPTZ', /\bTIMESTAMPTZ\b/i],
    ['VARCHAR (BigQuery: STRING)', /\bVARCHAR\b/i],
    ['DOUBLE (BigQuery: FLOAT64)', /\bAS\s+DOUBLE\b/i],
    ["DATE_DIFF('day', ...) argument order", /\bDATE_DIFF\s*\(\s*'/i],
    ['timezone( (BigQuery: TIMESTAMP(d, zone))', /\btimezone\s*\(/i],
    ['AS NOT MATERIALIZED (a DuckDB CTE hint)', /\bNOT\s+MATERIALIZED\b/i],
    // GoogleSQL reads "x" as a string, DuckDB as an identifier: in shared SQL it is a bug either way.
    ['a double-quoted identifier', /"/],
  ]);
}

/** `sql` rendered for DuckDB carries nothing that only BigQuery understands. */
export function assertNoBigQueryIsms(sql: string, label = 'query'): void {
  assertNoneOf(sql, label, 'BigQuery-only', [
    ['a backticked identifier', /`/],
    ['an @parameter', /@[A-Za-z_]\w*/],
    ['SAFE_DIVIDE', /\bSAFE_DIVIDE\s*\(/i],
    ['SAFE_CAST (DuckDB: TRY_CAST)', /\bSAFE_CAST\s*\(/i],
    ['FORMAT_DATE (DuckDB: STRFTIME)', /\bFORMAT_DATE\s*\(/i],
    ['COUNTIF (DuckDB: COUNT_IF)', /\bCOUNTIF\s*\(/i],
    ['DATE_SUB/DATE_ADD with INTERVAL', /\bDATE_(?:SUB|ADD)\s*\([^;]*?\bINTERVAL\b/i],
    ['DATE_DIFF(..., DAY) argument order', /\bDATE_DIFF\s*\([^;]*?,\s*DAY\s*\)/i],
  ]);
}

/** Statements of a script, split at semicolons outside strings, quoted identifiers, comments and parentheses. */
export function splitStatements(sql: string): string[] {
  return splitOutside(sql, ';').map((s) => stripComments(s).trim()).filter((s) => s.length > 0);
}

function checkStatement(statement: string, label: string): void {
  if (/^(BEGIN|COMMIT|ROLLBACK)\b/i.test(statement)) {
    if (!/^(BEGIN|COMMIT|ROLLBACK)(\s+TRANSACTION)?$/i.test(statement)) {
      fail(label, `only BEGIN / COMMIT / ROLLBACK [TRANSACTION] is understood here, got: ${statement}`);
    }
    return;
  }
  if (/^ASSERT\b/i.test(statement)) return checkAssert(statement, label);
  if (/^MERGE\b/i.test(statement)) return checkMerge(statement, label);
  parseOne(withoutParserGaps(statement, label), label);
}

/** `statement` with the constructs of PARSER_GAPS that sit inside expressions checked and blanked in place. */
function withoutParserGaps(statement: string, label: string): string {
  return withoutNullsModifier(withoutAggregateOrder(statement, label));
}

/** `LAST_VALUE(x IGNORE NULLS)` (and FIRST_VALUE, NTH_VALUE, RESPECT NULLS) as `LAST_VALUE(x)`, same length. */
function withoutNullsModifier(statement: string): string {
  const masked = maskLiterals(statement);
  let out = statement;
  for (const call of masked.matchAll(/\b(?:FIRST_VALUE|LAST_VALUE|NTH_VALUE)\s*\(/gi)) {
    const open = (call.index ?? 0) + call[0].length - 1;
    const close = closingParen(masked, open);
    if (close < 0) continue;
    const modifier = /\s(?:IGNORE|RESPECT)\s+NULLS\s*$/i.exec(masked.slice(open + 1, close));
    if (!modifier) continue;
    const from = open + 1 + modifier.index;
    out = out.slice(0, from) + blank(out.slice(from, close)) + out.slice(close);
  }
  return out;
}

/** The index of the `)` closing the `(` at `open` in masked SQL, -1 when unclosed. */
function closingParen(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i += 1) {
    if (masked[i] === '(') depth += 1;
    else if (masked[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** node-sql-parser's BigQuery AST of one statement, with the gaps of PARSER_GAPS inside expressions handled. */
export function astifyBigQuery(statement: string): ReturnType<typeof parser.astify> {
  return parser.astify(withoutParserGaps(statement, 'query'), BIGQUERY);
}

/**
 * `ARRAY_AGG(x ORDER BY keys LIMIT n)` as `ARRAY_AGG(x)` with the clauses blanked (same length, so positions
 * hold), after the keys parse as a SELECT's ORDER BY and n is a whole number (PARSER_GAPS).
 */
function withoutAggregateOrder(statement: string, label: string): string {
  const masked = maskLiterals(statement);
  let out = statement;
  for (const call of masked.matchAll(/\bARRAY_AGG\s*\(/gi)) {
    const open = (call.index ?? 0) + call[0].length - 1;
    const close = closingParen(masked, open);
    if (close < 0) continue;
    const inner = masked.slice(open + 1, close);
    const order = topLevelMatch(inner, /\bORDER\s+BY\b/i);
    if (order === null) continue;
    const limit = /\s+LIMIT\s+(\S+)\s*$/i.exec(inner);
    if (!limit || !/^\d+$/.test(limit[1] as string)) fail(label, `ARRAY_AGG(... ORDER BY ...) needs LIMIT <whole number> here (see PARSER_GAPS): ${statement.slice(open - 9, close + 1)}`);
    const keys = statement.slice(open + 1 + order.end, open + 1 + limit.index);
    parseOne(`SELECT 1 AS x FROM t ORDER BY ${keys}`, `${label} (ARRAY_AGG ORDER BY)`);
    const from = open + 1 + order.start;
    out = out.slice(0, from) + blank(out.slice(from, close)) + out.slice(close);
  }
  return out;
}

/** Where `pattern` first matches `text` outside parentheses, or null. */
function topLevelMatch(text: string, pattern: RegExp): { start: number; end: number } | null {
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') depth -= 1;
    else if (depth === 0) {
      const m = new RegExp(`^(?:${pattern.source})`, pattern.flags).exec(text.slice(i));
      if (m && (i === 0 || /\W/.test(text[i - 1] as string))) return { start: i, end: i + m[0].length };
    }
  }
  return null;
}

function checkAssert(statement: string, label: string): void {
  const match = /^ASSERT\s+([\s\S]+?)(?:\s+AS\s+'(?:[^'\\]|\\.)*')?$/i.exec(statement);
  if (!match?.[1]) return fail(label, `not an ASSERT statement: ${statement}`);
  parseOne(`SELECT (${match[1]}) AS assertion`, `${label} (ASSERT expression)`);
}

const MERGE_HEAD = /^MERGE\s+(?:INTO\s+)?(`[^`]+`|[\w.]+)(?:\s+AS)?\s+(\w+)\s+USING\s+(`[^`]+`|[\w.]+|\([\s\S]+\))(?:\s+AS)?\s+(\w+)\s+ON\s+([\s\S]+?)\s+(WHEN\s+(?:NOT\s+)?MATCHED\b[\s\S]*)$/i;
const WHEN_CLAUSE = /\bWHEN\s+(?:NOT\s+MATCHED(?:\s+BY\s+(?:SOURCE|TARGET))?|MATCHED)\b/gi;

/**
 * MERGE, clause by clause. Each condition and value list is parsed in a SELECT over the target and source
 * with the same aliases, so a misspelled column, a DuckDB function or a broken expression still fails.
 */
function checkMerge(statement: string, label: string): void {
  const head = MERGE_HEAD.exec(statement);
  if (!head) return fail(label, `MERGE shape not understood (see PARSER_GAPS): ${statement}`);
  const [, target, targetAlias, source, sourceAlias, on, clausesText] = head as unknown as string[];
  const from = `FROM ${target} AS ${targetAlias} CROSS JOIN ${source} AS ${sourceAlias}`;
  const where = (condition: string, what: string) => parseOne(`SELECT 1 AS x ${from} WHERE ${condition}`, `${label} (MERGE ${what})`);
  where(on as string, 'ON condition');

  const starts = [...(clausesText as string).matchAll(WHEN_CLAUSE)].map((m) => m.index);
  if (starts.length === 0) return fail(label, 'MERGE without WHEN clauses');
  starts.forEach((start, i) => {
    const clause = (clausesText as string).slice(start, starts[i + 1]).trim();
    const match = /^WHEN\s+(NOT\s+MATCHED(?:\s+BY\s+(SOURCE|TARGET))?|MATCHED)(?:\s+AND\s+([\s\S]+?))?\s+THEN\s+([\s\S]+)$/i.exec(clause);
    if (!match) return fail(label, `MERGE clause not understood: ${clause}`);
    const [, kind = '', bySide, condition, action = ''] = match;
    const notMatchedByTarget = /^NOT/i.test(kind) && bySide?.toUpperCase() !== 'SOURCE';
    // A NOT MATCHED [BY TARGET] clause sees only source columns; the others see the target (and MATCHED the source).
    const scope = notMatchedByTarget ? `FROM ${source} AS ${sourceAlias}` : from;
    if (condition) parseOne(`SELECT 1 AS x ${scope} WHERE ${condition}`, `${label} (MERGE clause condition)`);
    checkMergeAction(action.trim(), notMatchedByTarget, scope, clause, label);
  });
}

function checkMergeAction(action: string, insertAllowed: boolean, scope: string, clause: string, label: string): void {
  if (/^DELETE$/i.test(action) && !insertAllowed) return;
  if (/^UPDATE\s+SET\s+/i.test(action) && !insertAllowed) {
    const assignments = splitTopLevel(action.replace(/^UPDATE\s+SET\s+/i, ''));
    const values = assignments.map((a) => {
      const m = /^((?:\w+\.)?(?:`\w+`|\w+))\s*=\s*([\s\S]+)$/.exec(a);
      if (!m?.[2]) return fail(label, `MERGE UPDATE SET item is not <column> = <expression>: ${a}`);
      return m[2];
    });
    parseOne(`SELECT ${values.join(', ')} ${scope}`, `${label} (MERGE UPDATE SET values)`);
    return;
  }
  if (insertAllowed && /^INSERT\s+ROW$/i.test(action)) return;
  const insert = /^INSERT\s*(?:\(([^()]*)\))?\s*VALUES\s*\(([\s\S]*)\)$/i.exec(action);
  if (insertAllowed && insert) {
    const [, columns, values = ''] = insert;
    parseOne(`SELECT ${values} ${scope}`, `${label} (MERGE INSERT VALUES)`);
    if (columns !== undefined) {
      const names = columns.split(',').map((c) => c.trim());
      if (names.some((n) => !/^(`\w+`|\w+)$/.test(n))) fail(label, `MERGE INSERT column list is not plain column names: ${columns}`);
      const valueCount = splitTopLevel(values).length;
      if (valueCount !== names.length) fail(label, `MERGE INSERT names ${names.length} columns but gives ${valueCount} values`);
    }
    return;
  }
  fail(label, `MERGE action not understood or not allowed in this clause: ${clause}`);
}

function parseOne(sql: string, label: string): void {
  try {
    const ast = parser.astify(sql, BIGQUERY);
    if (Array.isArray(ast) ? ast.length === 0 : !ast) fail(label, 'the parser produced no statement');
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    fail(label, describeParseError(sql, error));
  }
}

function describeParseError(sql: string, error: unknown): string {
  const e = error as { message?: string; location?: { start?: { line?: number; column?: number } } };
  const line = e.location?.start?.line;
  const column = e.location?.start?.column;
  const reason = (e.message ?? String(error)).replace(/^Expected .* but /s, 'unexpected: ').slice(0, 300);
  if (!line || !column) return `node-sql-parser (bigquery) cannot parse it: ${reason}\n${sql}`;
  const lines = sql.split('\n');
  const context = lines.slice(Math.max(0, line - 3), line).join('\n');
  return `node-sql-parser (bigquery) cannot parse line ${line}, column ${column}: ${reason}\n`
    + `${context}\n${' '.repeat(column - 1)}^`;
}

function assertNoneOf(sql: string, label: string, what: string, patterns: Array<[string, RegExp]>): void {
  const masked = maskLiterals(sql, { keepBackticks: what === 'BigQuery-only', keepDoubleQuotes: true });
  const found = patterns.filter(([, re]) => re.test(masked)).map(([name, re]) => {
    const at = masked.search(re);
    return `${name} at "${sql.slice(Math.max(0, at - 30), at + 30).replace(/\s+/g, ' ')}"`;
  });
  if (found.length) fail(label, `${what} SQL: ${found.join('; ')}`);
}

export type SegmentKind = 'code' | 'comment' | "'" | '`' | '"';

/** The SQL cut into code, comments and quoted runs (strings, backticked and double-quoted names). */
export function segments(sql: string): Array<{ kind: SegmentKind; text: string }> {
  const out: Array<{ kind: SegmentKind; text: string }> = [];
  let code = '';
  let i = 0;
  const flush = () => {
    if (code) out.push({ kind: 'code', text: code });
    code = '';
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    let stop: number | undefined;
    let kind: SegmentKind | undefined;
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      [kind, stop] = ['comment', end === -1 ? sql.length : end];
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      [kind, stop] = ['comment', end === -1 ? sql.length : end + 2];
    } else if (c === "'" || c === '`' || c === '"') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === '\\' ? 2 : 1;
      [kind, stop] = [c, Math.min(j + 1, sql.length)];
    }
    if (kind === undefined || stop === undefined) {
      code += c;
      i += 1;
      continue;
    }
    flush();
    out.push({ kind, text: sql.slice(i, stop) });
    i = stop;
  }
  flush();
  return out;
}

const blank = (text: string) => text.replace(/[^\n]/g, ' ');

/**
 * The SQL with comments and the contents of string literals blanked (same length, so offsets still point
 * into the original). Backticked and double-quoted names are blanked too unless kept: their quotes are
 * what some checks look for.
 */
export function maskLiterals(sql: string, keep: { keepBackticks?: boolean; keepDoubleQuotes?: boolean } = {}): string {
  return segments(sql).map(({ kind, text }) => {
    if (kind === 'code') return text;
    if (kind === 'comment') return blank(text);
    if ((kind === '`' && keep.keepBackticks) || (kind === '"' && keep.keepDoubleQuotes)) return text;
    return text.length >= 2 ? `${kind}${blank(text.slice(1, -1))}${kind}` : blank(text);
  }).join('');
}

function stripComments(sql: string): string {
  return segments(sql).map(({ kind, text }) => (kind === 'comment' ? blank(text) : text)).join('');
}

/** Items of a comma list, ignoring commas inside parentheses and literals. */
function splitTopLevel(list: string): string[] {
  return splitOutside(list, ',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** `sql` cut at each `separator` outside parentheses, strings, quoted names and comments. */
function splitOutside(sql: string, separator: ';' | ','): string[] {
  const masked = maskLiterals(sql);
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < masked.length; i += 1) {
    const c = masked[i];
    if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (c === separator && depth === 0) {
      parts.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(sql.slice(start));
  return parts;
}

function fail(label: string, message: string): never {
  throw new AssertionError({ message: `${label}: ${message}` });
}
