/** infra/bigquery.tf, infra/schemas/ and the monitoring views of infra/sql/ against the table registry. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyticsTableSpec, ColumnSpec } from '../../../shared/tables/types.js';
import { asBody, block, canonical, mentions, resolveLocal, resourcesOf, type Infra, type Located } from '../../support/infra.js';
import { EXPECTED_ROWS_VIEW_FILE, expectedRowsViewSql, INFRA_DIR, schemaFileText, schemaPath } from '../../../tools/infra/registry-artifacts.js';

export interface TableSpecLike {
  readonly name: string;
  readonly key: readonly string[];
  readonly partitionColumn: string;
  readonly columns: readonly ColumnSpec[];
}

export interface WarehouseNames {
  readonly rawDataset: string;
  readonly analyticsDatasets: Readonly<Record<string, string>>;
  readonly tables: readonly TableSpecLike[];
}

/**
 * The analytics datasets are managed and the raw one only read; in every analytics dataset each table of
 * the registry exists, partitioned by DAY on its partition column, requiring a partition filter,
 * clustered by its key, with schema schemas/<table>.json.
 */
export function checkBigQuery(infra: Infra, names: WarehouseNames): string[] {
  const problems: string[] = [];
  const datasetResource = new Map<string, string>();
  for (const [name, r] of resourcesOf(infra, 'google_bigquery_dataset')) {
    const id = resolveLocal(infra, r.body.dataset_id);
    if (typeof id === 'string') datasetResource.set(id, name);
    if (id === names.rawDataset) problems.push(`google_bigquery_dataset.${name} manages ${names.rawDataset}, which belongs to the scrapers: reference it as data`);
  }
  if (!Object.values(infra.data.google_bigquery_dataset ?? {}).some((d) => resolveLocal(infra, d.body.dataset_id) === names.rawDataset)) {
    problems.push(`no data "google_bigquery_dataset" reads ${names.rawDataset}`);
  }
  const tables = resourcesOf(infra, 'google_bigquery_table');
  for (const [mode, datasetId] of Object.entries(names.analyticsDatasets)) {
    const resource = datasetResource.get(datasetId);
    if (!resource) {
      problems.push(`the ${mode} dataset ${datasetId} is not a google_bigquery_dataset`);
      continue;
    }
    const inDataset = tables.filter(([, t]) => mentions(t.body.dataset_id, 'google_bigquery_dataset', resource));
    const partitioned = inDataset.filter(([, t]) => block(t.body, 'time_partitioning'));
    if (partitioned.length !== 1) {
      problems.push(`${datasetId}: ${partitioned.length} partitioned google_bigquery_table resources; expected one, for_each over the analytics tables`);
      continue;
    }
    const [tableName, table] = partitioned[0] as [string, Located];
    const where = `google_bigquery_table.${tableName} (${datasetId})`;
    const perTable = asBody(resolveLocal(infra, table.body.for_each));
    if (!perTable) {
      problems.push(`${where}: for_each is not a literal local map of tables`);
      continue;
    }
    const declared = Object.keys(perTable).sort();
    const expected = names.tables.map((t) => t.name).sort();
    if (canonical(declared) !== canonical(expected)) problems.push(`${where}: tables ${declared.join(', ')}; the registry has ${expected.join(', ')}`);
    const partitioning = block(table.body, 'time_partitioning');
    for (const spec of names.tables) {
      if (partitioning?.type !== 'DAY' || partitioning.field !== spec.partitionColumn) {
        problems.push(`${where}: ${spec.name} must be partitioned by DAY on ${spec.partitionColumn}`);
      }
      const clustering = table.body.clustering === '${each.value.clustering}' ? asBody(perTable[spec.name])?.clustering : table.body.clustering;
      if (canonical(clustering) !== canonical(spec.key.slice(0, 4))) {
        problems.push(`${where}: ${spec.name} is clustered by ${JSON.stringify(clustering)}, expected its key ${JSON.stringify(spec.key)}`);
      }
    }
    if (table.body.require_partition_filter !== true) problems.push(`${where}: require_partition_filter is not true`);
    if (typeof table.body.schema !== 'string' || !table.body.schema.includes('schemas/${each.key}.json')) {
      problems.push(`${where}: schema is not read from schemas/<table>.json`);
    }
  }
  return problems;
}

/** infra/schemas/<table>.json is exactly what the registry generates, for every table and no other. */
export function checkSchemaFiles(tables: readonly TableSpecLike[], dir: string = INFRA_DIR): string[] {
  const problems: string[] = [];
  const fix = 'regenerate: npm run generate:infra';
  for (const spec of tables) {
    const path = schemaPath(spec.name, dir);
    if (!existsSync(path)) problems.push(`infra/schemas/${spec.name}.json is missing (${fix})`);
    else if (readFileSync(path, 'utf8') !== schemaFileText(spec.columns)) problems.push(`infra/schemas/${spec.name}.json differs from TABLE_SPECS (${fix})`);
  }
  const known = new Set(tables.map((t) => `${t.name}.json`));
  const schemaDir = join(dir, 'schemas');
  for (const file of existsSync(schemaDir) ? readdirSync(schemaDir) : []) {
    if (!known.has(file)) problems.push(`infra/schemas/${file} belongs to no table of the registry`);
  }
  return problems;
}

// --- Monitoring views ---------------------------------------------------------------------------------

export interface SqlViewFile {
  readonly view: string;
  readonly file: string;
  readonly text: string;
}

/** The locals of views.tf (view -> sql file), in creation order: a view may read views of earlier layers only. */
export const VIEW_LAYERS = ['table_views', 'coverage_views', 'report_views'] as const;

/**
 * The views views.tf declares, with their SQL: every listed file exists, every sql file is listed, and
 * a view reading another view is created after it.
 */
export function sqlViews(infra: Infra, dir: string = INFRA_DIR): { views: SqlViewFile[]; problems: string[] } {
  const problems: string[] = [];
  const views: SqlViewFile[] = [];
  const layerOf = new Map<string, number>();
  VIEW_LAYERS.forEach((local, layer) => {
    const map = asBody(infra.locals[local]?.value);
    if (!map) {
      problems.push(`local.${local} (view -> sql file) is missing`);
      return;
    }
    for (const [view, file] of Object.entries(map)) {
      layerOf.set(view, layer);
      const path = join(dir, 'sql', String(file));
      if (!existsSync(path)) problems.push(`local.${local}.${view} reads sql/${String(file)}, which does not exist`);
      else views.push({ view, file: String(file), text: readFileSync(path, 'utf8') });
    }
  });
  for (const view of views) {
    for (const m of view.text.matchAll(/\$\{monitoring_dataset\}\.([A-Za-z0-9_]+)/g)) {
      const read = m[1] ?? '';
      const readLayer = layerOf.get(read);
      if (readLayer === undefined) problems.push(`${view.file} reads the view ${read}, which views.tf does not declare`);
      else if (readLayer >= (layerOf.get(view.view) ?? 0)) problems.push(`${view.view} reads ${read} but is not in a later layer of views.tf (BigQuery would refuse to create it first)`);
    }
  }
  const listed = new Set(views.map((v) => v.file));
  const sqlDir = join(dir, 'sql');
  for (const file of existsSync(sqlDir) ? readdirSync(sqlDir) : []) {
    if (file.endsWith('.sql') && !listed.has(file)) problems.push(`sql/${file} is not declared as a view in views.tf`);
  }
  return { views, problems };
}

/** infra/sql/expected_rows_by_date.sql is what the registry's expectations generate. */
export function checkExpectedRowsView(specs: readonly Pick<AnalyticsTableSpec, 'name' | 'expectation'>[], dir: string = INFRA_DIR): string[] {
  const path = join(dir, 'sql', EXPECTED_ROWS_VIEW_FILE);
  const fix = 'regenerate: npm run generate:infra';
  if (!existsSync(path)) return [`infra/sql/${EXPECTED_ROWS_VIEW_FILE} is missing (${fix})`];
  return readFileSync(path, 'utf8') === expectedRowsViewSql(specs) ? [] : [`infra/sql/${EXPECTED_ROWS_VIEW_FILE} differs from the registry's expectations (${fix})`];
}

/** Render a view's SQL as templatefile() would, failing on placeholders it would not know. */
export function renderSql(text: string, vars: Readonly<Record<string, string>>): { sql: string; problems: string[] } {
  const problems: string[] = [];
  if (text.includes('%{')) problems.push('contains "%{", a templatefile() directive');
  const sql = text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) {
      problems.push(`placeholder ${whole} is not one of local.sql_vars (${Object.keys(vars).join(', ')})`);
      return whole;
    }
    return value;
  });
  return { sql, problems };
}
