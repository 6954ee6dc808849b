import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryLogger } from '../../shared/log/logger.js';
import { startFirestoreEmulator, startPubSubEmulator, type Emulator } from '../../dev/emulators.js';
import { startFunctionServers, type FunctionServers } from '../../dev/function-servers.js';
import { startE2eStack, type E2eStack, type E2eStackOptions } from './e2e-stack.js';

/**
 * The deployed service on one machine for a describe() block: the real Firestore and Pub/Sub
 * emulators and the three functions on functions-framework servers, and one stack (own project,
 * collections, topics, warehouse) per test, closed after it. The emulators and servers are shared by
 * the blocks that run one after another (each start costs seconds), and stopped shortly after the
 * last one ends; a block that breaks its Pub/Sub emulator on purpose asks for its own. The service
 * logs into memory, so a test can wait for what it logged; a failing test prints the warnings and
 * errors.
 */

export type FaultStack = E2eStack & { readonly logs: MemoryLogger };

export interface CloudSuite {
  readonly firestore: Emulator;
  readonly pubsub: Emulator;
  readonly servers: FunctionServers;
  stack(options?: Omit<E2eStackOptions, 'firestore' | 'pubsub' | 'servers' | 'logger'>): Promise<FaultStack>;
  /** Put another Pub/Sub emulator in place of the block's own (after a restart); stopped with the block. */
  replacePubSub(emulator: Emulator): void;
  /** The same for the block's own Firestore emulator. */
  replaceFirestore(emulator: Emulator): void;
}

export interface CloudSuiteOptions {
  /** A Pub/Sub emulator for this block alone (it is going to be killed). */
  readonly ownPubSub?: boolean;
  /** A Firestore emulator for this block alone (it is going to be restarted). */
  readonly ownFirestore?: boolean;
}

interface Shared {
  readonly firestore: Emulator;
  readonly pubsub: Emulator;
  readonly servers: FunctionServers;
}

/** How long the shared emulators wait for the next block before they stop. */
const LINGER_MS = 2_000;
let shared: Promise<Shared> | undefined;
let users = 0;
let lingering: NodeJS.Timeout | undefined;

function acquire(): Promise<Shared> {
  users += 1;
  clearTimeout(lingering);
  shared ??= startShared().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

function release(): void {
  users -= 1;
  if (users > 0 || !shared) return;
  const going = shared;
  lingering = setTimeout(() => {
    if (users > 0 || shared !== going) return;
    shared = undefined;
    void going.then(stopShared, () => undefined);
  }, LINGER_MS);
  // The process may end meanwhile: the emulators die with it (emulators.ts), the servers with it.
  lingering.unref();
}

async function startShared(): Promise<Shared> {
  const started = await Promise.allSettled([startFirestoreEmulator(), startPubSubEmulator()]);
  const [firestore, pubsub] = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  try {
    if (failed || !firestore || !pubsub) throw failed?.reason ?? new Error('the emulators did not start');
    return { firestore, pubsub, servers: await startFunctionServers() };
  } catch (error) {
    await Promise.allSettled([firestore?.stop(), pubsub?.stop()]);
    throw error;
  }
}

async function stopShared(s: Shared): Promise<void> {
  await s.servers.close();
  await Promise.allSettled([s.firestore.stop(), s.pubsub.stop()]);
}

/** Call inside describe(): registers the hooks that start and stop everything. */
export function useCloudSuite(options: CloudSuiteOptions = {}): CloudSuite {
  let base: Shared | undefined;
  let ownPubSub: Emulator | undefined;
  let ownFirestore: Emulator | undefined;
  let acquired = false;
  const stacks: FaultStack[] = [];

  before(async function () {
    this.timeout(120_000);
    acquired = true;
    const [s, own, ownFs] = await Promise.all([
      acquire(), options.ownPubSub ? startPubSubEmulator() : undefined, options.ownFirestore ? startFirestoreEmulator() : undefined,
    ]);
    base = s;
    ownPubSub = own;
    ownFirestore = ownFs;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      for (const s of stacks) printTroubles(s.logs);
    }
    for (const s of stacks.splice(0)) await s.close();
  });

  after(async function () {
    this.timeout(60_000);
    await ownPubSub?.stop();
    await ownFirestore?.stop();
    if (acquired) release();
  });

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} did not start`);
    return value;
  };
  const suite: CloudSuite = {
    get firestore() {
      return ownFirestore ?? need(base, 'the emulators').firestore;
    },
    get pubsub() {
      return ownPubSub ?? need(base, 'the emulators').pubsub;
    },
    get servers() {
      return need(base, 'the function servers').servers;
    },
    async stack(stackOptions = {}) {
      const logs = new MemoryLogger();
      const s = await startE2eStack({ firestore: suite.firestore, pubsub: suite.pubsub, servers: suite.servers, logger: logs, ...stackOptions });
      const stack = Object.assign(s, { logs });
      stacks.push(stack);
      return stack;
    },
    replacePubSub(emulator) {
      if (!options.ownPubSub) throw new Error('only a block with its own Pub/Sub emulator may replace it');
      ownPubSub = emulator;
    },
    replaceFirestore(emulator) {
      if (!options.ownFirestore) throw new Error('only a block with its own Firestore emulator may replace it');
      ownFirestore = emulator;
    },
  };
  return suite;
}

export type LogEvent = MemoryLogger['events'][number];
/** A message, exactly or by pattern, or any test of the event. */
export type LogMatch = string | RegExp | ((event: LogEvent) => boolean);

/** Events logged so far that match. */
export function logged(logs: MemoryLogger, match: LogMatch): LogEvent[] {
  const test = typeof match === 'function' ? match : (e: LogEvent) => (typeof match === 'string' ? e.message === match : match.test(e.message));
  return logs.events.filter(test);
}

/** Wait until the service logged `count` events that match. */
export async function waitForLog(logs: MemoryLogger, match: LogMatch, count = 1, timeoutMs = 30_000): Promise<LogEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = logged(logs, match);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`the service logged ${found.length} of ${count} events matching ${String(match)} in ${timeoutMs} ms`);
    await sleep(50);
  }
}

function printTroubles(logs: MemoryLogger): void {
  const troubles = logs.events.filter((e) => e.severity === 'WARNING' || e.severity === 'ERROR').slice(-40);
  for (const e of troubles) console.error(JSON.stringify({ severity: e.severity, message: e.message, ...e.fields }).slice(0, 1000));
}
