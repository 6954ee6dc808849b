import { RAW_TABLE_SPECS } from '../../shared/tables/raw-schemas.js';
import { isRawTable } from '../../shared/tables/names.js';
import { astifyBigQuery, splitStatements } from './bigquery-sql.js';

/**
 * Every read of an `nba_raw` table in GoogleSQL filters that table's partition column with a bounded range whose
 * ends are constants or parameters: `col BETWEEN a AND b`, or `col >= a` and `col <= b`, in the WHERE of the
 * SELECT that reads it, ANDed with whatever else it filters. That is what lets the service read the scrapers'
 * tables where they set require_partition_filter, and what keeps the scan small: "If a query uses a qualifying
 * filter on the value of the partitioning column, BigQuery can scan the partitions that match the filter and
 * skip the remaining partitions. This process is called partition pruning."
 * (https://cloud.google.com/bigquery/docs/querying-partitioned-tables). Checked on node-sql-parser's AST of each
 * statement that selects.
 */

type Node = Record<string, unknown>;

/** The partition columns read, per raw table; `null` for an unknown raw table. */
function partitionColumnOf(table: string): string | null {
  return isRawTable(table) ? RAW_TABLE_SPECS[table].partitionColumn : null;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null;
}

function columnName(node: Node): string | null {
  if (node.type !== 'column_ref') return null;
  const column = node.column;
  if (typeof column === 'string') return column;
  if (isNode(column) && isNode(column.expr) && typeof column.expr.value === 'string') return column.expr.value;
  return null;
}

/** Whether the expression refers to no column: a constant, a parameter, or arithmetic and functions over those. */
function isConstant(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(isConstant);
  if (!isNode(node)) return true;
  if (node.type === 'column_ref' || node.type === 'select' || 'ast' in node) return false;
  return Object.values(node).every(isConstant);
}

function conjuncts(where: unknown): Node[] {
  if (!isNode(where)) return [];
  if (where.type === 'binary_expr' && typeof where.operator === 'string' && where.operator.toUpperCase() === 'AND') return [...conjuncts(where.left), ...conjuncts(where.right)];
  return [where];
}

function refersTo(node: unknown, alias: string, column: string): boolean {
  if (!isNode(node) || columnName(node) !== column) return false;
  const table = node.table;
  return table === null || table === undefined || table === alias;
}

/** Whether the WHERE bounds `alias.column` from both sides with constants. */
function boundsColumn(where: unknown, alias: string, column: string): boolean {
  let lower = false;
  let upper = false;
  for (const c of conjuncts(where)) {
    const op = typeof c.operator === 'string' ? c.operator.toUpperCase() : '';
    if (op === 'BETWEEN' && refersTo(c.left, alias, column) && isNode(c.right) && isConstant(c.right.value)) return true;
    if (['>=', '>'].includes(op) && refersTo(c.left, alias, column) && isConstant(c.right)) lower = true;
    if (['<=', '<'].includes(op) && refersTo(c.left, alias, column) && isConstant(c.right)) upper = true;
    if (['<=', '<'].includes(op) && refersTo(c.right, alias, column) && isConstant(c.left)) lower = true;
    if (['>=', '>'].includes(op) && refersTo(c.right, alias, column) && isConstant(c.left)) upper = true;
  }
  return lower && upper;
}

function rawTableOf(from: Node): string | null {
  const table = typeof from.table === 'string' ? from.table : null;
  if (!table) return null;
  const m = /(?:^|\.)nba_raw\.(\w+)$/.exec(table);
  if (m?.[1]) return m[1];
  return from.db === 'nba_raw' ? table : null;
}

/** Every SELECT in the tree, however deep (CTEs, subqueries in FROM, IN and scalar subqueries). */
function selects(node: unknown, out: Node[] = []): Node[] {
  if (Array.isArray(node)) {
    for (const n of node) selects(n, out);
    return out;
  }
  if (!isNode(node)) return out;
  if (node.type === 'select' && Array.isArray(node.from)) out.push(node);
  for (const value of Object.values(node)) selects(value, out);
  return out;
}

/** Each raw read of one statement without a bounded range on its partition column, described. */
function unboundedReads(statement: string): string[] {
  const ast = astifyBigQuery(statement);
  const problems: string[] = [];
  for (const select of selects(ast)) {
    for (const from of select.from as unknown[]) {
      if (!isNode(from)) continue;
      const table = rawTableOf(from);
      if (!table) continue;
      const column = partitionColumnOf(table);
      if (!column) {
        problems.push(`nba_raw.${table} is not a table of the contract`);
        continue;
      }
      const alias = typeof from.as === 'string' ? from.as : (String(from.table).split('.').pop() as string);
      if (!boundsColumn(select.where, alias, column)) problems.push(`nba_raw.${table}${alias !== table ? ` AS ${alias}` : ''} is read without a bounded range on ${column}`);
    }
  }
  return problems;
}

/** Problems of every statement of `sql` (a query or a script) that selects; statements that do not select are skipped. */
export function rawReadsWithoutRange(sql: string): string[] {
  const problems: string[] = [];
  for (const statement of splitStatements(sql)) {
    const select = /^\s*CREATE\s+TEMP\s+TABLE\s+\w+\s+AS\s+/i.exec(statement);
    const body = select ? statement.slice(select[0].length) : statement;
    if (!/^\s*(\(\s*)*(SELECT|WITH)\b/i.test(body)) continue;
    problems.push(...unboundedReads(body));
  }
  return problems;
}

/** How many raw reads `sql` makes: what a test counts to know it checked something. */
export function rawReadCount(sql: string): number {
  let n = 0;
  for (const statement of splitStatements(sql)) {
    const select = /^\s*CREATE\s+TEMP\s+TABLE\s+\w+\s+AS\s+/i.exec(statement);
    const body = select ? statement.slice(select[0].length) : statement;
    if (!/^\s*(\(\s*)*(SELECT|WITH)\b/i.test(body)) continue;
    for (const s of selects(astifyBigQuery(body))) {
      for (const from of s.from as unknown[]) if (isNode(from) && rawTableOf(from)) n += 1;
    }
  }
  return n;
}
