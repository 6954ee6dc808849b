import type { ParamType } from '../../../shared/sql/dialect.js';
import { duckDbDialect as duck } from '../../../shared/sql/duckdb-dialect.js';
import { COLUMN_TYPES, type ColumnType } from '../../../shared/tables/types.js';
import { segments } from '../../support/bigquery-sql.js';

/**
 * GoogleSQL, as this project writes it, rewritten for DuckDB so a stubbed BigQuery client can run it
 * (bigquery-on-duckdb.ts). Not a GoogleSQL emulator: the queries the core and the BigQuery adapter send
 * are plain SQL plus the constructs of bigQueryDialect() (shared/sql/bigquery-dialect.ts), and each of
 * those is rewritten here to what duckDbDialect renders for the same method (the test of this module
 * runs both renderings of every Dialect method and compares the values). Backticked names become
 * DuckDB's quoted ones, @parameters become duckDbDialect.param(), GoogleSQL string escapes become
 * DuckDB's. A construct of the dialect this module does not know fails with NotModelledError; plain SQL
 * outside the dialect runs as DuckDB reads it.
 */

export class NotModelledError extends Error {
  override readonly name = 'NotModelledError';
}

/** What BigQuery reports about the job's SQL (a parameter that is not there): a failed job, not a stub gap. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

export interface Translation {
  /** The project the backticked `project.dataset.table` names must belong to. */
  readonly project: string;
  /** The job's query parameters and their types, as the request declared them. */
  readonly params: Readonly<Record<string, ParamType>>;
}

type TokenKind = 'space' | 'comment' | 'string' | 'ident' | 'param' | 'word' | 'number' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** string: the literal's value; ident: the name inside the backticks. */
  readonly value?: string;
}

const CODE_TOKEN = /(\s+)|(@[A-Za-z_]\w*)|(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|([\s\S])/gy;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  for (const { kind, text } of segments(sql)) {
    if (kind === 'comment') tokens.push({ kind: 'comment', text });
    else if (kind === '`') tokens.push({ kind: 'ident', text, value: text.slice(1, -1) });
    else if (kind === "'" || kind === '"') tokens.push({ kind: 'string', text, value: unescapeGoogleSql(text.slice(1, -1)) });
    else {
      CODE_TOKEN.lastIndex = 0;
      for (const m of text.matchAll(CODE_TOKEN)) {
        const kindOf: TokenKind = m[1] ? 'space' : m[2] ? 'param' : m[3] ? 'number' : m[4] ? 'word' : 'punct';
        tokens.push({ kind: kindOf, text: m[0] });
      }
    }
  }
  return tokens;
}

/** GoogleSQL quoted strings escape with a backslash (https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical#escape_sequences). */
function unescapeGoogleSql(body: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '`': '`' };
  return body.replace(/\\(.)/gs, (whole, c: string) => {
    const out = simple[c];
    if (out === undefined) throw new NotModelledError(`the string escape ${whole}`);
    return out;
  });
}

/**
 * bigQueryDialect.zippedParams() renders a derived table of UNNEST ... WITH OFFSET joined on the offsets, which
 * DuckDB has no one construct for: it is recognised whole and replaced by duckDbDialect.zippedParams().
 */
const ZIPPED = /\(SELECT zipped_key AS (\w+), zipped_value AS (\w+) FROM UNNEST\(@(\w+)\) AS zipped_key WITH OFFSET AS key_offset INNER JOIN UNNEST\(@(\w+)\) AS zipped_value WITH OFFSET AS value_offset ON key_offset = value_offset\)/g;

/** One GoogleSQL statement (or expression) as DuckDB SQL. */
export function toDuckDb(sql: string, t: Translation): string {
  const zipped: string[] = [];
  const marked = sql.replace(ZIPPED, (_whole, keyAlias: string, valueAlias: string, keys: string, values: string) => {
    for (const name of [keys, values]) if (!t.params[name]) throw new QueryError(`Query parameter '${name}' not found`);
    zipped.push(duck.zippedParams(keys, values, keyAlias, valueAlias));
    return `zipped_params_${zipped.length - 1}`;
  });
  return render(tokenize(marked), t).replace(/zipped_params_(\d+)/g, (_whole, i: string) => zipped[Number(i)] as string);
}

export function render(tokens: readonly Token[], t: Translation): string {
  let out = '';
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as Token;
    switch (token.kind) {
      case 'comment': out += ' '; break;
      case 'string': out += `'${(token.value ?? '').replace(/'/g, "''")}'`; break;
      case 'ident': out += identifier(token.value ?? '', t); break;
      case 'param': out += parameter(token.text.slice(1), t); break;
      case 'word': {
        const upper = token.text.toUpperCase();
        const next = nextSolid(tokens, i + 1);
        if (upper === 'IN' && isWord(tokens[next], 'UNNEST')) {
          const open = nextSolid(tokens, next + 1);
          const close = closing(tokens, open);
          out += `IN (SELECT UNNEST(${render(tokens.slice(open + 1, close), t)}))`;
          i = close;
          break;
        }
        const rewrite = FUNCTIONS[upper];
        if (rewrite && isPunct(tokens[next], '(')) {
          const close = closing(tokens, next);
          const first = upper === 'ARRAY_AGG' ? firstInOrder(tokens, next, close, t) : null;
          if (first) {
            out += first.sql;
            i = first.end;
            break;
          }
          out += rewrite(tokens.slice(next + 1, close), t);
          i = close;
          break;
        }
        out += token.text;
        break;
      }
      default: out += token.text;
    }
  }
  return out;
}

function identifier(name: string, t: Translation): string {
  const parts = name.split('.');
  if (parts.length === 1) return `"${name}"`;
  const [project, dataset, table] = parts.length === 3 ? parts : [t.project, ...parts];
  if (parts.length > 3 || !dataset || !table) throw new NotModelledError(`the name \`${name}\``);
  if (project !== t.project) throw new NotModelledError(`a table of project ${project ?? '?'}: the stub holds project ${t.project} only`);
  return duck.table(dataset, table);
}

function parameter(name: string, t: Translation): string {
  const type = t.params[name];
  // BigQuery's own wording for an undeclared parameter.
  if (!type) throw new QueryError(`Query parameter '${name}' not found`);
  return duck.param(name, type);
}

type Rewrite = (args: readonly Token[], t: Translation) => string;

/** bigQueryDialect's renderings, each as duckDbDialect renders the same Dialect method. */
const FUNCTIONS: Readonly<Record<string, Rewrite>> = {
  CAST: (inner, t) => fingerprintAgg(inner) ?? cast(inner, t, (expr, type) => duck.cast(expr, type)),
  SAFE_CAST: (inner, t) => cast(inner, t, (expr, type) => duck.safeCast(expr, type)),
  DATE_ADD: (inner, t) => dateShift(inner, t, (date, days) => duck.dateAddDays(date, days)),
  DATE_SUB: (inner, t) => dateShift(inner, t, (date, days) => duck.dateSubDays(date, days)),
  DATE_DIFF: (inner, t) => {
    const [to = [], from = [], unit = []] = args(inner, 3, 'DATE_DIFF');
    if (!isOnly(unit, 'DAY')) throw new NotModelledError(`DATE_DIFF by ${text(unit)}`);
    return duck.dateDiffDays(render(to, t), render(from, t));
  },
  UNIX_DATE: (inner, t) => duck.dayNumber(render(args(inner, 1, 'UNIX_DATE')[0] ?? [], t)),
  TIMESTAMP: (inner, t) => duck.utcMidnight(render(args(inner, 1, 'TIMESTAMP (with a time zone)')[0] ?? [], t)),
  SAFE_DIVIDE: (inner, t) => {
    const [n = [], d = []] = args(inner, 2, 'SAFE_DIVIDE');
    return duck.safeDivide(render(n, t), render(d, t));
  },
  FORMAT_DATE: (inner, t) => {
    const [format = [], date = []] = args(inner, 2, 'FORMAT_DATE');
    const literal = solid(format);
    if (literal.length !== 1 || literal[0]?.value !== '%Y-%m-%d') throw new NotModelledError(`FORMAT_DATE(${text(format)}, ...)`);
    return duck.formatDate(render(date, t));
  },
  COUNTIF: (inner, t) => duck.countIf(render(args(inner, 1, 'COUNTIF')[0] ?? [], t)),
  ARRAY_AGG: (inner, t) => {
    if (topLevelWord(inner, 'ORDER') < 0 && topLevelWord(inner, 'LIMIT') < 0) return `ARRAY_AGG(${render(inner, t)})`;
    const { expr, keys, limit } = orderedArrayAgg(inner, t);
    return duck.arrayAggLimit(expr, keys, Number(limit));
  },
};

/** The parts of `ARRAY_AGG(x ORDER BY keys LIMIT n)` (its tokens inside the parentheses), x and keys rendered. */
function orderedArrayAgg(inner: readonly Token[], t: Translation): { expr: string; keys: string; limit: string } {
  const order = topLevelWord(inner, 'ORDER');
  const limit = topLevelWord(inner, 'LIMIT');
  const by = nextSolid(inner, order + 1);
  if (order < 0 || limit < order || !isWord(inner[by], 'BY')) throw new NotModelledError(`ARRAY_AGG(${text(inner)})`);
  return { expr: render(inner.slice(0, order), t), keys: render(inner.slice(by + 1, limit), t), limit: text(inner.slice(limit + 1)).trim() };
}

/**
 * bigQueryDialect.firstInOrder(): ARRAY_AGG(x ORDER BY keys LIMIT 1)[SAFE_OFFSET(0)], the aggregate's call ending
 * at `close`. Null when the call is not that, for the plain ARRAY_AGG rewrite.
 */
function firstInOrder(tokens: readonly Token[], open: number, close: number, t: Translation): { sql: string; end: number } | null {
  const bracket = nextSolid(tokens, close + 1);
  if (!isPunct(tokens[bracket], '[')) return null;
  const end = tokens.findIndex((token, i) => i > bracket && isPunct(token, ']'));
  if (end < 0 || text(tokens.slice(bracket + 1, end)).replace(/\s+/g, '').toUpperCase() !== 'SAFE_OFFSET(0)') {
    throw new NotModelledError(`ARRAY_AGG(...)${text(tokens.slice(bracket, end < 0 ? undefined : end + 1))}`);
  }
  const inner = tokens.slice(open + 1, close);
  const { expr, keys, limit } = orderedArrayAgg(inner, t);
  if (limit !== '1') throw new NotModelledError(`ARRAY_AGG(${text(inner)})[SAFE_OFFSET(0)]`);
  return { sql: duck.firstInOrder(expr, keys), end };
}

/** bigQueryDialect.fingerprintAgg(): CAST(BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(STRUCT(`a`, `b`)))) AS STRING). */
function fingerprintAgg(inner: readonly Token[]): string | null {
  const m = /^BIT_XOR\(FARM_FINGERPRINT\(TO_JSON_STRING\(STRUCT\(([^()]*)\)\)\)\) AS STRING$/.exec(text(inner).trim());
  if (!m) return null;
  const columns = (m[1] ?? '').split(',').map((c) => c.trim().replace(/^`(.*)`$/, '$1'));
  return duck.fingerprintAgg(columns);
}

function cast(inner: readonly Token[], t: Translation, to: (expr: string, type: ColumnType) => string): string {
  const as = topLevelWord(inner, 'AS', true);
  const type = text(inner.slice(as + 1)).trim().toUpperCase();
  if (as < 0 || !(COLUMN_TYPES as readonly string[]).includes(type)) throw new NotModelledError(`CAST(${text(inner)})`);
  return to(render(inner.slice(0, as), t), type as ColumnType);
}

function dateShift(inner: readonly Token[], t: Translation, to: (date: string, days: string) => string): string {
  const [date = [], interval = []] = args(inner, 2, 'DATE_ADD / DATE_SUB');
  const words = solid(interval);
  const last = words[words.length - 1];
  if (!isWord(words[0], 'INTERVAL') || !isWord(last, 'DAY')) throw new NotModelledError(`an interval of ${text(interval)}`);
  const from = interval.indexOf(words[0] as Token) + 1;
  const until = interval.lastIndexOf(last as Token);
  return to(render(date, t), render(interval.slice(from, until), t));
}

// --- Tokens ---------------------------------------------------------------------------------------------

function text(tokens: readonly Token[]): string {
  return tokens.map((x) => x.text).join('');
}

function solid(tokens: readonly Token[]): Token[] {
  return tokens.filter((x) => x.kind !== 'space' && x.kind !== 'comment');
}

function isWord(token: Token | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toUpperCase() === word;
}

function isPunct(token: Token | undefined, c: string): boolean {
  return token?.kind === 'punct' && token.text === c;
}

function isOnly(tokens: readonly Token[], word: string): boolean {
  const words = solid(tokens);
  return words.length === 1 && isWord(words[0], word);
}

function nextSolid(tokens: readonly Token[], from: number): number {
  let i = from;
  while (i < tokens.length && (tokens[i]?.kind === 'space' || tokens[i]?.kind === 'comment')) i += 1;
  return i;
}

/** The index of the `)` closing the `(` at `open`. */
function closing(tokens: readonly Token[], open: number): number {
  if (!isPunct(tokens[open], '(')) throw new NotModelledError(`"${text(tokens.slice(open - 2, open + 1))}" without its parenthesis`);
  let depth = 0;
  for (let i = open; i < tokens.length; i += 1) {
    if (isPunct(tokens[i], '(')) depth += 1;
    else if (isPunct(tokens[i], ')') && --depth === 0) return i;
  }
  throw new QueryError(`Syntax error: unclosed parenthesis in ${text(tokens.slice(open))}`);
}

/** The index of `word` outside parentheses (the last one when `last`), -1 when there is none. */
function topLevelWord(tokens: readonly Token[], word: string, last = false): number {
  let depth = 0;
  let found = -1;
  for (let i = 0; i < tokens.length; i += 1) {
    if (isPunct(tokens[i], '(')) depth += 1;
    else if (isPunct(tokens[i], ')')) depth -= 1;
    else if (depth === 0 && isWord(tokens[i], word)) {
      found = i;
      if (!last) return i;
    }
  }
  return found;
}

/** A call's arguments, split at commas outside parentheses; exactly `n` of them. */
function args(inner: readonly Token[], n: number, what: string): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const token of inner) {
    if (isPunct(token, '(')) depth += 1;
    else if (isPunct(token, ')')) depth -= 1;
    if (depth === 0 && isPunct(token, ',')) out.push([]);
    else out[out.length - 1]?.push(token);
  }
  if (out.length !== n) throw new NotModelledError(`${what} with ${out.length} argument(s)`);
  return out;
}
