import { BigQueryWarehouse } from '../../../adapters/bigquery/bigquery-warehouse.js';
import { warehouseConformance } from '../../ports/warehouse-conformance.js';
import { bigQueryOnDuckDb } from './bigquery-on-duckdb.js';

warehouseConformance('BigQueryWarehouse on a stubbed client (each job run on DuckDB)', async () => {
  const bigquery = await bigQueryOnDuckDb({ projectId: 'proj', location: 'US' });
  return {
    warehouse: new BigQueryWarehouse(bigquery.client, { projectId: 'proj', location: 'US' }),
    outOfRangeRefusal: /the select produced rows outside the dates being replaced/,
    dispose: () => bigquery.close(),
  };
});
