import assert from 'node:assert/strict';
import { createService, setService } from '../../functions/service.js';
import type { Alerter } from '../../shared/alerts/alerter.js';
import { LocalLedger } from '../../adapters/local/local-ledger.js';
import type { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { loadConfig } from '../../shared/config/config.js';
import { LIMITS } from '../../shared/config/defaults.js';
import { MemoryLogger } from '../../shared/log/logger.js';
import { systemClock } from '../../shared/ports/clock.js';
import type { ChunkMessage } from '../../shared/chunks/chunk-message.js';
import type { ChunkQueue } from '../../shared/ports/queue.js';
import { parseBackfillRequest } from '../../shared/planning/backfill-request.js';
import { MAX_PROBLEMS_SHOWN } from '../../shared/input/invalid-input.js';
import { startRun } from '../../shared/runner/start-run.js';
import { addDaysIso } from '../../shared/util/dates.js';
import { openFixtureWarehouse, runJob, tempDir } from '../support/duckdb-fixtures.js';
import { pushEndpoint, startFunctionServers, type FunctionServers } from '../../dev/function-servers.js';
import { SQL_INJECTIONS, STACK_TRACE, writtenState, type WrittenState } from './written-state.js';

/**
 * Every route of backfillApi and both Pub/Sub functions, on functions-framework's own servers (as
 * deployed, NODE_ENV=production) over a DuckDB warehouse with the fixture slices and the local ledger,
 * fed what a careless or hostile caller sends. Each request must be refused with a clear 4xx in JSON
 * (HTTP) or be acknowledged with a log line (Pub/Sub), and leave the warehouse, the ledger, the queue
 * and the alerts exactly as they were.
 */

const VALID = { tables: 'all', start: '2021-11-01', end: '2021-11-20' } as const;
const KNOWN_RUN_START = '2021-11-01';

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  readonly json: { error?: unknown; details?: unknown } | undefined;
}

interface HttpCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  /** An object is sent as JSON; a string is sent as it is. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly status: number;
  /** What the error and its details must say. */
  readonly says: RegExp;
}

const post = (name: string, body: unknown, says: RegExp, status = 400, contentType?: string): HttpCase =>
  ({ name, method: 'POST', path: '/backfills', body, says, status, ...(contentType ? { contentType } : {}) });
const get = (name: string, path: string, says: RegExp, status = 400): HttpCase => ({ name, method: 'GET', path, says, status });

const TABLES_HELP = 'known: all, player_game_summary, team_offense_game_summary, team_defense_game_summary, upcoming_team_game_context, upcoming_player_game_context';

const backfillBodyCases: HttpCase[] = [
  // Malformed or not an object.
  post('a body that is not JSON, sent as text', '{"tables": "all", "start": ', /not valid JSON[\s\S]*send a JSON object like/, 400, 'text/plain'),
  post('a form instead of JSON', 'tables=all&start=2021-11-01&end=2021-11-20', /not valid JSON/, 400, 'application/x-www-form-urlencoded'),
  post('a JSON array', '["all", "2021-11-01", "2021-11-20"]', /the body must be a JSON object like/),
  post('a JSON string', '"all"', /the body must be a JSON object like/, 400, 'text/plain'),
  post('a JSON number', '20211101', /the body must be a JSON object like/, 400, 'text/plain'),
  post('JSON null', 'null', /the body must be a JSON object like/, 400, 'text/plain'),
  // functions-framework makes an empty JSON body an empty object: every field is reported missing.
  post('no body at all', '', /tables: missing[\s\S]*start: missing[\s\S]*end: missing/),
  // Wrong types.
  post('tables as a number', { ...VALID, tables: 5 }, /tables: must be "all" or a list of table names .*got a number/),
  post('one table as a string', { ...VALID, tables: 'player_game_summary' }, /tables: must be "all" or a list of table names .*got "player_game_summary"/),
  post('tables as an object', { ...VALID, tables: { player_game_summary: true } }, /tables: must be "all" or a list/),
  post('a start that is a number', { ...VALID, start: 20211101 }, /start: must be a real calendar date written YYYY-MM-DD, got a number/),
  post('an end that is a boolean', { ...VALID, end: true }, /end: must be a real calendar date written YYYY-MM-DD, got a boolean/),
  post('a start given as a list', { ...VALID, start: ['2021-11-01'] }, /start: must be a real calendar date .*got a list/),
  post('excluded dates as a string', { ...VALID, excludeDates: '2021-11-05' }, /excludeDates: must be a list of dates/),
  post('an excluded date as a number', { ...VALID, excludeDates: [20211105] }, /excludeDates\.0: must be a real calendar date/),
  post('a mode that is null', { ...VALID, mode: null }, /mode: must be one of production, test, got null/),
  // Missing fields.
  post('an empty object', {}, /tables: missing[\s\S]*start: missing[\s\S]*end: missing/),
  post('no tables', { start: VALID.start, end: VALID.end }, /tables: missing: give "all" or a list of table names/),
  post('no end', { tables: 'all', start: VALID.start }, /end: missing: give a real calendar date written YYYY-MM-DD/),
  // Unknown fields.
  post('a field the API does not know', { ...VALID, priority: 'high' }, /unknown field "priority"; known: tables, start, end, excludeDates, mode, reprocess/),
  post('a __proto__ key', '{"tables":"all","start":"2021-11-01","end":"2021-11-20","__proto__":{"mode":"test"}}', /unknown field "__proto__"/),
  post('a misspelt field', { ...VALID, exclude_dates: ['2021-11-05'] }, /unknown field "exclude_dates"/),
  post('an excluded date outside the range', { ...VALID, excludeDates: ['2021-11-05', '2021-12-05'] }, /excludeDates: 2021-12-05 is outside 2021-11-01\.\.2021-11-20/),
  post('an unknown reprocess', { ...VALID, reprocess: 'everything' }, /reprocess: must be one of none, failed, all/),
  // Dates.
  post('an end before the start', { ...VALID, start: '2021-11-20', end: '2021-11-01' }, /end: end 2021-11-01 is before start 2021-11-20/),
  post('an impossible date', { ...VALID, start: '2023-02-30', end: '2023-03-05' }, /start: must be a real calendar date written YYYY-MM-DD, got "2023-02-30"/),
  post('a month 13', { ...VALID, end: '2021-13-01' }, /end: must be a real calendar date/),
  post('a date without leading zeros', { ...VALID, start: '2021-11-1' }, /start: must be a real calendar date/),
  post('a date with a time', { ...VALID, start: '2021-11-01T00:00:00Z' }, /start: must be a real calendar date/),
  post('a year with a sign', { ...VALID, start: '+02021-11-01' }, /start: must be a real calendar date/),
  post('a start before the earliest date', { ...VALID, start: '2015-06-01' }, new RegExp(`start: start 2015-06-01 is before ${LIMITS.earliestDate}`)),
  post('year zero', { ...VALID, start: '0000-01-01' }, /start: must be a real calendar date/),
  post('a range past the limit', { ...VALID, start: LIMITS.earliestDate, end: addDaysIso(LIMITS.earliestDate, LIMITS.maxRangeDays) },
    new RegExp(`end: range of ${LIMITS.maxRangeDays + 1} days is longer than the limit of ${LIMITS.maxRangeDays}`)),
  post('a range to the year 9999', { ...VALID, end: '9999-12-31' }, /end: range of \d+ days is longer than the limit/),
  post('too many excluded dates', { ...VALID, excludeDates: Array.from({ length: LIMITS.maxExcludedDates + 1 }, (_, i) => addDaysIso('2021-11-01', i % 20)) },
    new RegExp(`excludeDates: at most ${LIMITS.maxExcludedDates} excluded dates`)),
  post('thousands of bad excluded dates', { ...VALID, excludeDates: Array.from({ length: 4000 }, (_, i) => `bad-${i}`) }, /excludeDates\.0: must be a real calendar date[\s\S]*and \d+ more problems/),
  // Tables and mode.
  post('an unknown table', { ...VALID, tables: ['player_game_summary', 'box_scores'] }, new RegExp(`tables: unknown table "box_scores"; ${TABLES_HELP}$`, 'm')),
  post('a raw table', { ...VALID, tables: ['nbac_schedule'] }, /tables: unknown table "nbac_schedule"/),
  post('"all" inside the list', { ...VALID, tables: ['all'] }, /tables: unknown table "all"/),
  post('"ALL" in capitals', { ...VALID, tables: 'ALL' }, /tables: must be "all" or a list/),
  post('an empty list of tables', { ...VALID, tables: [] }, /tables: name at least one table, or "all"/),
  post('a mode that does not exist', { ...VALID, mode: 'staging' }, /mode: must be one of production, test, got "staging"/),
  post('a mode in capitals', { ...VALID, mode: 'PRODUCTION' }, /mode: must be one of production, test/),
  // Size.
  post('a body past the size limit', { ...VALID, note: 'x'.repeat(LIMITS.maxRequestBytes) }, new RegExp(`a request is at most ${LIMITS.maxRequestBytes}`), 413),
];

/** SQL in every string field of a backfill request. */
const backfillInjectionCases: HttpCase[] = SQL_INJECTIONS.flatMap((sql) => [
  post(`SQL as tables: ${sql}`, { ...VALID, tables: sql }, /tables: must be "all" or a list/),
  post(`SQL as a table name: ${sql}`, { ...VALID, tables: [sql] }, /tables: unknown table/),
  post(`SQL as start: ${sql}`, { ...VALID, start: sql }, /start: must be a real calendar date/),
  post(`SQL as end: ${sql}`, { ...VALID, end: sql }, /end: must be a real calendar date/),
  post(`SQL as an excluded date: ${sql}`, { ...VALID, excludeDates: [sql] }, /excludeDates\.0: must be a real calendar date/),
  post(`SQL as mode: ${sql}`, { ...VALID, mode: sql }, /mode: must be one of production, test/),
]);

const q = encodeURIComponent;

const queryCases: HttpCase[] = [
  get('GET /backfills with a zero limit', '/backfills?limit=0', /limit: must be a whole number from 1 to 100/),
  get('GET /backfills with a limit past 100', '/backfills?limit=101', /limit: must be a whole number from 1 to 100/),
  get('GET /backfills with a limit in exponent form', '/backfills?limit=1e2', /limit: must be a whole number/),
  get('GET /backfills with an empty limit', '/backfills?limit=', /limit: must be a whole number/),
  get('GET /backfills with the limit twice', '/backfills?limit=1&limit=2', /limit: must be a whole number from 1 to 100, given once/),
  get('GET /backfills with an unknown parameter', '/backfills?state=active', /unknown parameter state; known: limit/),
  get('GET /verify with an unknown table', '/verify?tables=box_scores', /tables: unknown table "box_scores"; known: all/),
  get('GET /verify with no table', '/verify?tables=,,', /tables: name at least one table, or "all"/),
  get('GET /verify with an end before the start', '/verify?start=2021-11-20&end=2021-11-01', /end: end 2021-11-01 is before start 2021-11-20/),
  get('GET /verify with an impossible date', '/verify?start=2023-02-30', /start: must be a real calendar date.*2023-02-30/),
  get('GET /verify with a start before the earliest date', '/verify?start=2010-01-01&end=2011-01-01', new RegExp(`start 2010-01-01 is before ${LIMITS.earliestDate}`)),
  get('GET /verify with a range past the limit', '/verify?start=2016-10-01&end=9999-12-31', /end: range of \d+ days is longer than the limit of \d+/),
  get('GET /verify with a bad mode', '/verify?mode=staging', /mode: must be one of production, test/),
  get('GET /verify with a bad format', '/verify?format=html', /format: must be one of text, json, markdown/),
  get('GET /verify with a bad strict flag', '/verify?strict=yes', /strict: must be one of 0, 1, true, false/),
  get('GET /verify with a tolerance past 1', '/verify?tolerance=2', /tolerance: must be a number from 0 to 1/),
  get('GET /verify with an empty tolerance', '/verify?tolerance=', /tolerance: must be a number from 0 to 1/),
  get('GET /verify with a negative tolerance', '/verify?tolerance=-0.1', /tolerance: must be a number from 0 to 1/),
  get('GET /verify with the start twice', '/verify?start=2021-11-01&start=2021-11-02', /start: must be a real calendar date .*got a list/),
  get('GET /verify with a bracketed parameter', '/verify?tables[a]=b', /unknown parameter tables\[a\]; known: tables/),
  get('GET /verify with an unknown parameter', '/verify?from=2021-11-01', /unknown parameter from; known: tables, start, end/),
  get('GET /verify excluding a date that is not one', '/verify?start=2021-11-01&end=2021-11-20&exclude=2021-11-31', /exclude\.0: must be a real calendar date written YYYY-MM-DD, got "2021-11-31"/),
  get('GET /verify excluding a date outside its range', '/verify?start=2021-11-01&end=2021-11-20&exclude=2021-11-15,2021-10-01', /exclude: 2021-10-01 is outside 2021-11-01\.\.2021-11-20/),
  get('GET /verify with exclude twice', '/verify?exclude=2021-11-15&exclude=2021-11-16', /exclude: must be a comma-separated list of dates/),
  ...SQL_INJECTIONS.flatMap((sql) => [
    get(`GET /backfills with SQL as limit: ${sql}`, `/backfills?limit=${q(sql)}`, /limit: must be a whole number/),
    ...['tables', 'start', 'end', 'mode', 'format', 'strict', 'tolerance', 'exclude'].map((param) =>
      get(`GET /verify with SQL as ${param}: ${sql}`, `/verify?${param}=${q(sql)}`, new RegExp(`${param}(\\.0)?: (must|unknown)`))),
  ]),
];

const UNKNOWN_ID = 'run-20211101-20211120-000000000000';
const ID_HELP = /invalid backfill id[\s\S]*a run id is 1-128 letters, digits and _ \. : -/;

const routeCases: HttpCase[] = [
  { name: 'GET of a backfill nobody started', method: 'GET', path: `/backfills/${UNKNOWN_ID}`, status: 404, says: /no backfill run-/ },
  { name: 'cancel of a backfill nobody started', method: 'POST', path: `/backfills/${UNKNOWN_ID}/cancel`, status: 404, says: /no backfill run-/ },
  { name: 'retry of a backfill nobody started', method: 'POST', path: `/backfills/${UNKNOWN_ID}/retry`, status: 404, says: /no backfill run-/ },
  { name: 'an id longer than any run id', method: 'GET', path: `/backfills/${'a'.repeat(129)}`, status: 400, says: ID_HELP },
  { name: 'PUT /backfills', method: 'PUT', path: '/backfills', body: VALID, status: 405, says: /use GET or POST \/backfills, not PUT/ },
  { name: 'DELETE of a backfill', method: 'DELETE', path: `/backfills/${UNKNOWN_ID}`, status: 405, says: /not a route of this API/ },
  { name: 'GET of a cancel', method: 'GET', path: `/backfills/${UNKNOWN_ID}/cancel`, status: 405, says: /not a route of this API/ },
  { name: 'a path below a backfill that is no route', method: 'POST', path: `/backfills/${UNKNOWN_ID}/cancel/now/please`, status: 404, says: /not a route of this API/ },
  { name: 'POST /verify', method: 'POST', path: '/verify', body: VALID, status: 405, says: /use GET \/verify/ },
  { name: 'an unknown route', method: 'GET', path: '/runs', status: 404, says: /GET \/runs is not a route of this API/ },
  ...SQL_INJECTIONS.flatMap((sql): HttpCase[] => [
    { name: `GET of a backfill id carrying SQL: ${sql}`, method: 'GET', path: `/backfills/${q(sql)}`, status: 400, says: ID_HELP },
    { name: `cancel of a backfill id carrying SQL: ${sql}`, method: 'POST', path: `/backfills/${q(sql)}/cancel`, status: 400, says: ID_HELP },
    { name: `retry of a backfill id carrying SQL: ${sql}`, method: 'POST', path: `/backfills/${q(sql)}/retry`, status: 400, says: ID_HELP },
  ]),
];

/** A queue that remembers: bad input must publish nothing. */
class RecordingQueue implements ChunkQueue {
  readonly published: ChunkMessage[] = [];
  publish(messages: readonly ChunkMessage[]): Promise<void> {
    this.published.push(...messages);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('bad input to the functions', function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let warehouse: DuckDbWarehouse;
  let ledger: LocalLedger;
  let servers: FunctionServers;
  const queue = new RecordingQueue();
  const logger = new MemoryLogger();
  const verifications: unknown[] = [];
  const alerter: Alerter = {
    afterVerification: (report) => {
      verifications.push(report);
      return Promise.resolve({ sent: [], undelivered: [] } as unknown as Awaited<ReturnType<Alerter['afterVerification']>>);
    },
    history: {
      recordVerification: (record) => {
        verifications.push(record);
        return Promise.resolve({ recorded: true });
      },
      listVerifications: () => Promise.resolve([]),
      lastPassed: () => Promise.resolve(null),
    },
    close: () => Promise.resolve(),
  };
  let before_: WrittenState;

  before(async function () {
    dir = await tempDir('bad-input-api-');
    warehouse = await openFixtureWarehouse();
    ledger = await LocalLedger.open({ path: ':memory:' });
    // Something to lose: a run in the ledger and written partitions in an analytics table.
    await startRun({ warehouse, ledger, clock: systemClock }, parseBackfillRequest({ tables: ['team_offense_game_summary'], start: KNOWN_RUN_START, end: '2021-11-03' }));
    await runJob(warehouse, 'team_offense_game_summary', KNOWN_RUN_START, '2021-11-03', 'production');
    const config = loadConfig({ WAREHOUSE: 'duckdb', LEDGER: 'local', BACKFILL_DATA_DIR: dir.path, COVERAGE_START: '', LOG_LEVEL: 'error' });
    setService(await createService(config, { warehouse, ledger, queue, alerter, logger, clock: systemClock, instanceId: 'bad-input' }));
    servers = await startFunctionServers();
    before_ = await writtenState(warehouse, ledger);
    assert.ok(before_.runs.length === 1 && before_.chunks.length > 0, 'the ledger starts with a run');
    assert.ok((before_.tables['nba_analytics.team_offense_game_summary']?.rows ?? 0) > 0, 'an analytics table starts with rows');
  });

  after(async function () {
    await servers?.close();
    setService(null);
    await ledger?.close();
    await warehouse?.close();
    await dir?.remove();
  });

  async function assertNothingWritten(): Promise<void> {
    assert.deepEqual(await writtenState(warehouse, ledger), before_, 'the warehouse and the ledger are as they were');
    assert.deepEqual(queue.published, [], 'no chunk message published');
    assert.deepEqual(verifications, [], 'no verification alerted');
  }

  async function send(method: string, path: string, body?: unknown, contentType?: string): Promise<Reply> {
    const init: RequestInit = { method, signal: AbortSignal.timeout(30_000) };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'content-type': contentType ?? 'application/json' };
    }
    const response = await fetch(`${servers.urls.backfillApi}${path}`, init);
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    let json: Reply['json'];
    try {
      json = type.includes('json') ? (JSON.parse(text) as Reply['json']) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, contentType: type, text, json };
  }

  describe('over HTTP: a clear 4xx in JSON, nothing written', function () {
    for (const c of [...backfillBodyCases, ...backfillInjectionCases, ...queryCases, ...routeCases]) {
      it(`answers ${c.name} with ${c.status}`, async function () {
        const reply = await send(c.method, c.path, c.body, c.contentType);
        assert.equal(reply.status, c.status, reply.text.slice(0, 500));
        assert.match(reply.contentType, /application\/json/);
        assert.ok(reply.json && typeof reply.json.error === 'string', `a JSON body with an error: ${reply.text.slice(0, 200)}`);
        const details = reply.json.details === undefined ? [] : reply.json.details;
        assert.ok(Array.isArray(details) && details.every((d) => typeof d === 'string'), 'details are lines of text');
        assert.ok(details.length <= MAX_PROBLEMS_SHOWN + 1, `at most ${MAX_PROBLEMS_SHOWN} problems and a count: ${details.length}`);
        assert.match([reply.json.error, ...details].join('\n'), c.says);
        assert.doesNotMatch(reply.text, STACK_TRACE, 'no stack trace');
        assert.ok(reply.text.length < 4096, `a short answer, not ${reply.text.length} characters`);
        await assertNothingWritten();
      });
    }

    // Bodies functions-framework's own parsers refuse before backfillApi runs: test/faults/api-body-errors.test.ts.
  });

  describe('over Pub/Sub: logged, acknowledged, nothing written', function () {
    // A date of the fixture outside the known run: no chunk of it was ever planned.
    const chunk = { v: 1, runId: 'run-20211101-20211103-000000000000', table: 'team_offense_game_summary', mode: 'production', dates: ['2021-11-10'], publishedAt: Date.now() };

    interface PushCase {
      readonly name: string;
      /** The push body, or the message's data (JSON-encoded when not a string). */
      readonly push?: unknown;
      readonly data?: unknown;
      /** What the ERROR log line must say; absent: the message is valid in shape and simply finds no work. */
      readonly logs?: RegExp;
    }

    const chunkCases: PushCase[] = [
      { name: 'data that is not JSON', data: 'not json at all', logs: /bad chunk message[\s\S]*not JSON/ },
      { name: 'data that is not base64', data: undefined, push: { message: { data: '%%%not base64%%%', messageId: '1' }, subscription: 's' }, logs: /bad chunk message/ },
      { name: 'a JSON array', data: '[]', logs: /bad chunk message[\s\S]*invalid/ },
      { name: 'JSON null', data: 'null', logs: /bad chunk message[\s\S]*invalid/ },
      { name: 'another message version', data: { ...chunk, v: 2 }, logs: /v: / },
      { name: 'an unknown table', data: { ...chunk, table: 'nbac_schedule' }, logs: /table: / },
      { name: 'an unknown mode', data: { ...chunk, mode: 'staging' }, logs: /mode: / },
      { name: 'an impossible date', data: { ...chunk, dates: ['2023-02-30'] }, logs: /dates\.0: / },
      { name: 'no dates', data: { ...chunk, dates: [] }, logs: /dates: / },
      { name: 'more dates than a job holds', data: { ...chunk, dates: Array.from({ length: LIMITS.maxDatesPerJob + 1 }, (_, i) => addDaysIso('2017-01-01', i)) }, logs: /dates: / },
      { name: 'a publish time that is text', data: { ...chunk, publishedAt: 'now' }, logs: /publishedAt: / },
      { name: 'a field no message has', data: { ...chunk, priority: 'high' }, logs: /priority/ },
      { name: 'a push that is not a Pub/Sub message', push: { hello: 'world' }, logs: /poison event/ },
      { name: 'attributes that are not text', push: { message: { data: Buffer.from(JSON.stringify(chunk)).toString('base64'), messageId: '1', attributes: { n: 1 } }, subscription: 's' }, logs: /poison event/ },
      { name: 'a valid message for chunks nobody planned', data: chunk },
      ...SQL_INJECTIONS.flatMap((sql): PushCase[] => [
        { name: `SQL as the run id: ${sql}`, data: { ...chunk, runId: sql }, logs: /runId: / },
        { name: `SQL as the table: ${sql}`, data: { ...chunk, table: sql }, logs: /table: / },
        { name: `SQL as the mode: ${sql}`, data: { ...chunk, mode: sql }, logs: /mode: / },
        { name: `SQL as a date: ${sql}`, data: { ...chunk, dates: [sql] }, logs: /dates\.0: / },
      ]),
    ];

    const reconcileCases: PushCase[] = [
      { name: 'data that is not JSON', data: 'reconcile now', logs: /unknown scheduler message[\s\S]*not JSON/ },
      { name: 'an unknown kind', data: { kind: 'drop' }, logs: /unknown scheduler message[\s\S]*kind: / },
      { name: 'a field the scheduler never sends', data: { kind: 'reconcile', tables: 'all' }, logs: /unknown scheduler message[\s\S]*tables/ },
      { name: 'a JSON string', data: '"reconcile"', logs: /unknown scheduler message/ },
      { name: 'JSON null', data: 'null', logs: /unknown scheduler message/ },
      { name: 'a push that is not a Pub/Sub message', push: { kind: 'reconcile' }, logs: /poison event/ },
      ...SQL_INJECTIONS.map((sql): PushCase => ({ name: `SQL as the kind: ${sql}`, data: { kind: sql }, logs: /unknown scheduler message/ })),
    ];

    const ACK = [102, 200, 201, 202, 204];

    function pushBody(c: PushCase): unknown {
      if (c.push !== undefined) return c.push;
      const text = typeof c.data === 'string' ? c.data : JSON.stringify(c.data);
      return { message: { data: Buffer.from(text).toString('base64'), messageId: `m-${Math.random().toString(36).slice(2)}`, publishTime: new Date().toISOString() }, subscription: 'projects/bad-input/subscriptions/push' };
    }

    for (const [fn, topic, cases] of [['processChunk', 'chunks', chunkCases], ['reconcile', 'reconcile', reconcileCases]] as const) {
      for (const c of cases) {
        it(`${fn} acknowledges ${c.name}${c.logs ? ' and logs why' : ''}`, async function () {
          const logged = logger.events.length;
          const response = await fetch(pushEndpoint(servers.urls[fn], 'bad-input', topic), {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pushBody(c)), signal: AbortSignal.timeout(30_000),
          });
          const text = await response.text();
          assert.ok(ACK.includes(response.status), `acknowledged (2xx), got ${response.status}: ${text.slice(0, 300)}`);
          const errors = logger.events.slice(logged).filter((e) => e.severity === 'ERROR');
          if (c.logs) {
            const lines = errors.map((e) => `${e.message} ${JSON.stringify(e.fields)}`).join('\n');
            assert.match(lines, c.logs, `logged: ${lines || '(nothing)'}`);
            assert.match(lines, /acknowledged/);
          } else {
            assert.deepEqual(errors, [], 'a well-formed message is no error');
          }
          await assertNothingWritten();
        });
      }
    }
  });

  describe('the control', function () {
    it('accepts the valid request the cases were made from, and the check sees what it writes', async function () {
      const reply = await send('POST', '/backfills', VALID);
      assert.equal(reply.status, 201, reply.text.slice(0, 300));
      await assert.rejects(assertNothingWritten(), /the warehouse and the ledger are as they were/);
    });
  });
});
