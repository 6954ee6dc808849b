import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';
// Registers backfillApi with functions-framework, as the deployed entry point does.
import '../../functions/index.js';
import { setService, type Service } from '../../functions/service.js';
import { LocalLedger } from '../../adapters/local/local-ledger.js';
import { LocalAlertStore } from '../../adapters/local/local-alert-store.js';
import type { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { loadConfig } from '../../shared/config/config.js';
import { silentLogger } from '../../shared/log/logger.js';
import { systemClock } from '../../shared/ports/clock.js';
import { openFixtureWarehouse } from './duckdb-fixtures.js';

/**
 * backfillApi alone on functions-framework's own server (getTestServer), over the real-data fixture
 * slices in an in-memory DuckDB and an in-memory ledger. Nothing runs chunks: the API plans, reports
 * and verifies, which is what a client of it needs.
 */
export interface ApiServer {
  /** 'http://127.0.0.1:PORT' */
  readonly url: string;
  readonly ledger: LocalLedger;
  readonly warehouse: DuckDbWarehouse;
  /** The verification history GET /verify reads (empty until a test records in it). */
  readonly history: LocalAlertStore;
  close(): Promise<void>;
}

export async function startApiServer(): Promise<ApiServer> {
  const warehouse = await openFixtureWarehouse();
  const ledger = await LocalLedger.open({ path: ':memory:' });
  const history = await LocalAlertStore.open({ path: ':memory:' });
  const service: Service = {
    config: loadConfig({ WAREHOUSE: 'duckdb', LEDGER: 'local', COVERAGE_START: '' }),
    warehouse,
    ledger,
    queue: { publish: () => Promise.resolve(), close: () => Promise.resolve() },
    clock: systemClock,
    logger: silentLogger,
    alerter: { afterVerification: () => Promise.reject(new Error('the API does not alert')), history, close: () => history.close() },
    instanceId: 'api-server-test',
    close: () => Promise.resolve(),
  };
  setService(service);
  const server: Server = getTestServer('backfillApi');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ledger,
    warehouse,
    history,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      setService(null);
      await ledger.close();
      await history.close();
      await warehouse.close();
    },
  };
}
