import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Socket } from 'node:net';
import { Firestore, type Settings } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { freePort } from './free-port.js';

/**
 * The real Firestore and Pub/Sub emulators, for the tests and the local stack (`npm run dev`), started
 * with java directly (never through the gcloud wrapper, whose children outlive a kill), each in its
 * own process group on a free port, so two test runs at once never meet. Missing java or a missing
 * emulator is a failure with the fix, never a silent skip.
 */

export type EmulatorKind = 'firestore' | 'pubsub';

export interface Emulator {
  readonly kind: EmulatorKind;
  /** '127.0.0.1:PORT', as FIRESTORE_EMULATOR_HOST / PUBSUB_EMULATOR_HOST would hold it. */
  readonly host: string;
  readonly port: number;
  /** The project the helpers below use; the emulators accept any. */
  readonly projectId: string;
  readonly pid: number;
  /** What the emulator printed so far (the last 64 KiB). */
  output(): string;
  /** Kill the emulator's process group and wait for it to go. Safe to call twice. */
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Google Cloud SDK root; default from `gcloud info`, else /usr/lib/google-cloud-sdk. */
  readonly sdkRoot?: string;
  /** The java binary; default $JAVA_HOME/bin/java, else `java` on the PATH. */
  readonly java?: string;
  readonly projectId?: string;
  readonly readyTimeoutMs?: number;
  /** Where to try to listen next; default a port free a moment ago. (Tests use it to stage a clash.) */
  readonly choosePort?: () => Promise<number>;
  /**
   * Kill the emulator as soon as this process gets SIGINT, SIGTERM or SIGHUP (default true). A program
   * that stops its emulators itself on those signals, after closing its clients, passes false; the
   * emulator is still killed when the process exits.
   */
  readonly killOnSignal?: boolean;
  /** Firestore only: start with the documents of an export (the path of its `.overall_export_metadata` file). */
  readonly importData?: string;
}

export class EmulatorUnavailableError extends Error {
  override readonly name = 'EmulatorUnavailableError';
}

export class EmulatorStartError extends Error {
  override readonly name = 'EmulatorStartError';
}

const DEFAULT_SDK_ROOT = '/usr/lib/google-cloud-sdk';
/** dev/emulator-watchdog.ts, built beside this file. */
const WATCHDOG = fileURLToPath(new URL('./emulator-watchdog.js', import.meta.url));
const DEFAULT_PROJECT = 'demo-backfill';
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const PORT_ATTEMPTS = 5;
const OUTPUT_LIMIT = 64 * 1024;

/**
 * What the emulators need. Java: "The Firestore emulator will be updated to require Java 21 in the
 * upcoming Google Cloud CLI release 528.0.0. Upgrade to Java 21 or later to continue using the latest
 * version of the emulator." (https://cloud.google.com/firestore/native/docs/emulator). Older emulator
 * jars ran on Java 11; a Java too old for the jar fails with UnsupportedClassVersionError, said below.
 */
const JAVA_HINT =
  'The Firestore emulator needs Java 21 or later (https://cloud.google.com/firestore/native/docs/emulator): ' +
  'e.g. sudo apt-get install openjdk-21-jre-headless (Debian 13, Ubuntu 24.04; on Debian 12 take Temurin 21 from https://adoptium.net), ' +
  'or set JAVA_HOME to a Java 21.';
const INSTALL_HINT =
  `${JAVA_HINT} The emulators: sudo apt-get install google-cloud-cli-firestore-emulator google-cloud-cli-pubsub-emulator ` +
  '(or `gcloud components install cloud-firestore-emulator pubsub-emulator` for a gcloud installed from the archive).';

interface LaunchSpec {
  readonly kind: EmulatorKind;
  readonly args: (port: number) => string[];
  /** A line the emulator prints once it listens: readiness is this line and an HTTP answer. */
  readonly ready: RegExp;
}

export async function startFirestoreEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const jar = join(await sdkRoot(options), 'platform', 'cloud-firestore-emulator', 'cloud-firestore-emulator.jar');
  if (!existsSync(jar)) throw new EmulatorUnavailableError(`the Firestore emulator is not installed (no ${jar}). ${INSTALL_HINT}`);
  return start(options, {
    kind: 'firestore',
    // As the SDK's cloud_firestore_emulator script runs it.
    args: (port) => [
      '-Duser.language=en', '-cp', jar, 'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
      'start', '--host=127.0.0.1', `--port=${port}`, '--database-mode=firestore-native',
      ...(options.importData ? [`--import-data=${options.importData}`] : []),
    ],
    ready: /Dev App Server is now running/,
  });
}

export async function startPubSubEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const lib = join(await sdkRoot(options), 'platform', 'pubsub-emulator', 'lib');
  const jarName = existsSync(lib) ? readdirSync(lib).find((f) => /^cloud-pubsub-emulator-.*-all\.jar$/.test(f)) : undefined;
  if (!jarName) throw new EmulatorUnavailableError(`the Pub/Sub emulator is not installed (no ${lib}/cloud-pubsub-emulator-*-all.jar). ${INSTALL_HINT}`);
  const jar = join(lib, jarName);
  return start(options, {
    kind: 'pubsub',
    args: (port) => ['-jar', jar, '--host=127.0.0.1', `--port=${port}`],
    ready: /Server started, listening on \d+/,
  });
}

/** A Firestore client on the emulator, without touching process.env (so parallel suites do not meet). */
export function firestoreClient(emulator: Emulator, settings: Settings = {}): Firestore {
  if (process.env.FIRESTORE_EMULATOR_HOST && process.env.FIRESTORE_EMULATOR_HOST !== emulator.host) {
    // The client prefers the variable over `host`: it would silently talk to another emulator.
    throw new Error(`FIRESTORE_EMULATOR_HOST=${process.env.FIRESTORE_EMULATOR_HOST} is set and would override ${emulator.host}; unset it`);
  }
  return new Firestore({
    projectId: emulator.projectId,
    host: emulator.host,
    ssl: false,
    customHeaders: { Authorization: 'Bearer owner' },
    ...settings,
  });
}

/** A Pub/Sub client on the emulator (apiEndpoint wins over PUBSUB_EMULATOR_HOST). */
export function pubSubClient(emulator: Emulator): PubSub {
  return new PubSub({ projectId: emulator.projectId, apiEndpoint: emulator.host, emulatorMode: true });
}

/** Delete every document of the emulator's project (its REST reset endpoint). */
export async function clearFirestore(emulator: Emulator, databaseId = '(default)'): Promise<void> {
  const url = `http://${emulator.host}/emulator/v1/projects/${emulator.projectId}/databases/${databaseId}/documents`;
  const response = await fetch(url, { method: 'DELETE' });
  if (!response.ok) throw new Error(`clearing the Firestore emulator failed: HTTP ${response.status} ${await response.text()}`);
}

let sdkRootFound: Promise<string> | undefined;

/** The SDK root as gcloud reports it, else the Debian packages' location. */
export function findSdkRoot(): Promise<string> {
  sdkRootFound ??= new Promise((resolve) => {
    execFile('gcloud', ['info', '--format=value(installation.sdk_root)'], { timeout: 20_000 }, (error, stdout) => {
      const root = error ? '' : stdout.trim();
      resolve(root && existsSync(root) ? root : DEFAULT_SDK_ROOT);
    });
  });
  return sdkRootFound;
}

function sdkRoot(options: EmulatorOptions): Promise<string> {
  return options.sdkRoot !== undefined ? Promise.resolve(options.sdkRoot) : findSdkRoot();
}

function javaBinary(options: EmulatorOptions): string {
  if (options.java) return options.java;
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

async function start(options: EmulatorOptions, spec: LaunchSpec): Promise<Emulator> {
  const java = javaBinary(options);
  await assertJava(java);
  const failures: string[] = [];
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt += 1) {
    const port = await (options.choosePort ?? freePort)();
    const emulator = launch(java, spec, port, options.projectId ?? DEFAULT_PROJECT, options.killOnSignal ?? true);
    try {
      await emulator.ready(options.readyTimeoutMs ?? READY_TIMEOUT_MS);
      return emulator.handle;
    } catch (error) {
      await emulator.handle.stop();
      // Someone took the port between our probe and java's bind: take another.
      if (error instanceof PortTakenError) {
        failures.push(`port ${port} taken`);
        continue;
      }
      throw error;
    }
  }
  throw new EmulatorStartError(`the ${spec.kind} emulator could not bind a port after ${PORT_ATTEMPTS} tries (${failures.join(', ')})`);
}

class PortTakenError extends Error {
  override readonly name = 'PortTakenError';
}

function assertJava(java: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(java, ['-version'], { timeout: 20_000 }, (error) => {
      if (!error) resolve();
      else reject(new EmulatorUnavailableError(`java is needed to run the emulators and \`${java} -version\` failed (${error.message}). ${INSTALL_HINT}`, { cause: error }));
    });
  });
}

function launch(
  java: string, spec: LaunchSpec, port: number, projectId: string, killOnSignal: boolean,
): { handle: Emulator; ready: (timeoutMs: number) => Promise<void> } {
  // Own process group: stop() kills the whole group, and Ctrl-C in the terminal does not reach it half-way.
  // Through the watchdog, which ends the emulator when this process dies, SIGKILL included: its stdin
  // is a pipe this process holds open and never writes.
  const child = spawn(process.execPath, [WATCHDOG, java, ...spec.args(port)], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  // A forgotten emulator must not hold the test process open; the exit handler below kills it.
  child.unref();
  (child.stdin as unknown as Socket | null)?.unref();
  (child.stdout as Socket | null)?.unref();
  (child.stderr as Socket | null)?.unref();

  let exitCode: number | null = null;
  let exitSignal: NodeJS.Signals | null = null;
  let spawnError: Error | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      live.delete(child);
      resolve();
    });
    child.once('error', (error) => {
      spawnError = error;
      live.delete(child);
      resolve();
    });
  });
  const hasExited = () => exitCode !== null || exitSignal !== null || spawnError !== null;
  live.set(child, { killOnSignal });
  installExitHandlers(killOnSignal);

  const host = `127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const handle: Emulator = {
    kind: spec.kind,
    host,
    port,
    projectId,
    pid: child.pid ?? -1,
    output: () => output,
    stop: () => {
      stopping ??= stopGroup(child, exited, hasExited);
      return stopping;
    },
  };

  const ready = async (timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      // The Pub/Sub emulator keeps running after failing to bind: look at what it said, not only whether it exited.
      if (/BindException|Address already in use|Failed to bind/i.test(output)) throw new PortTakenError(`port ${port} is taken`);
      if (/UnsupportedClassVersionError/.test(output)) {
        throw new EmulatorUnavailableError(`the ${spec.kind} emulator needs a newer Java than ${java}. ${JAVA_HINT} Its output:\n${output}`);
      }
      if (hasExited()) {
        const why = spawnError ? `could not start: ${spawnError.message}` : `exited (code ${String(exitCode)}, signal ${String(exitSignal)})`;
        throw new EmulatorStartError(`the ${spec.kind} emulator ${why} before it was ready. Its output:\n${output}`);
      }
      if (spec.ready.test(output) && (await answers(host))) return;
      await sleep(100);
    }
    throw new EmulatorStartError(`the ${spec.kind} emulator on ${host} was not ready after ${timeoutMs} ms. Its output:\n${output}`);
  };
  return { handle, ready };
}

async function answers(host: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function stopGroup(child: ChildProcess, exited: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (child.pid === undefined || hasExited()) return;
  killGroup(child.pid, 'SIGTERM');
  const gone = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
  if (!gone) {
    killGroup(child.pid, 'SIGKILL');
    await exited;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

const live = new Map<ChildProcess, { readonly killOnSignal: boolean }>();
let exitHandlerInstalled = false;
let signalHandlersInstalled = false;

/** Emulators die with the process, however it ends short of SIGKILL. */
function installExitHandlers(onSignalsToo: boolean): void {
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    process.on('exit', () => killLive(() => true));
  }
  if (!onSignalsToo || signalHandlersInstalled) return;
  signalHandlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killLive((e) => e.killOnSignal);
      process.removeListener(signal, onSignal);
      // Nobody else handles it: do what the default would have done.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function killLive(which: (entry: { readonly killOnSignal: boolean }) => boolean): void {
  for (const [child, entry] of live) {
    if (!which(entry)) continue;
    try {
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    } catch {
      // Exiting: nothing useful to do with a failure here.
    }
    live.delete(child);
  }
}
