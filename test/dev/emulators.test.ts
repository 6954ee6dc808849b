import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createServer, type AddressInfo } from 'node:net';
import { freePort } from '../../dev/free-port.js';
import {
  EmulatorStartError, EmulatorUnavailableError, firestoreClient, pubSubClient, startFirestoreEmulator, startPubSubEmulator, type Emulator,
} from '../../dev/emulators.js';

/** Alive and not a zombie (a killed emulator whose parent is gone may linger unreaped). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

async function answers(host: string): Promise<boolean> {
  try {
    return (await fetch(`http://${host}/`)).ok;
  } catch {
    return false;
  }
}

describe('emulators', function () {
  this.timeout(90_000);
  const started: Emulator[] = [];
  let empty: string;

  before(async function () {
    empty = await mkdtemp(join(tmpdir(), 'no-sdk-'));
  });

  afterEach(async function () {
    await Promise.all(started.splice(0).map((e) => e.stop()));
  });

  after(async function () {
    await rm(empty, { recursive: true, force: true });
  });

  it('starts two Firestore emulators at once on their own ports, and stop kills each', async function () {
    const [a, b] = await Promise.all([startFirestoreEmulator(), startFirestoreEmulator()]);
    started.push(a, b);
    assert.notEqual(a.host, b.host);
    assert.match(a.host, /^127\.0\.0\.1:\d+$/);
    assert.ok(await answers(a.host));
    assert.ok(await answers(b.host));

    await a.stop();
    assert.equal(isRunning(a.pid), false);
    assert.equal(await answers(a.host), false);
    assert.ok(await answers(b.host), 'the other one is untouched');
    await a.stop();
  });

  it('starts the Pub/Sub emulator and gives clients that reach it', async function () {
    const emulator = await startPubSubEmulator();
    started.push(emulator);
    const pubsub = pubSubClient(emulator);
    try {
      const [topic] = await pubsub.createTopic('harness-check');
      assert.match(topic.name, new RegExp(`^projects/${emulator.projectId}/topics/harness-check$`));
    } finally {
      await pubsub.close();
    }
  });

  it('moves to another port when the one it chose was taken in the meantime', async function () {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as AddressInfo).port;
    const offered = [taken];
    try {
      const emulator = await startPubSubEmulator({ choosePort: async () => offered.shift() ?? freePort() });
      started.push(emulator);
      assert.notEqual(emulator.port, taken);
      assert.equal(offered.length, 0, 'the taken port was tried first');
    } finally {
      squatter.close();
    }
  });

  it('fails with how to install them when an emulator is missing', async function () {
    await assert.rejects(startFirestoreEmulator({ sdkRoot: empty }), (error: Error) =>
      error instanceof EmulatorUnavailableError && /google-cloud-cli-firestore-emulator/.test(error.message));
    await assert.rejects(startPubSubEmulator({ sdkRoot: empty }), (error: Error) =>
      error instanceof EmulatorUnavailableError && /google-cloud-cli-pubsub-emulator/.test(error.message));
  });

  it('fails with how to install it when java is missing', async function () {
    await assert.rejects(startPubSubEmulator({ java: join(empty, 'java') }), (error: Error) =>
      error instanceof EmulatorUnavailableError && /needs Java 21 or later/.test(error.message));
  });

  it('says which Java the Firestore emulator needs when the Java found is too old for its jar', async function () {
    // A java that answers -version but refuses the emulator's classes, as a Java 17 does with a jar built for 21.
    const oldJava = join(empty, 'old-java');
    await writeFile(oldJava, [
      '#!/bin/sh',
      'if [ "$1" = "-version" ]; then echo \'openjdk version "17.0.15"\' >&2; exit 0; fi',
      'echo "Error: LinkageError occurred while loading main class com.google.cloud.datastore.emulator.firestore.CloudFirestore" >&2',
      'echo "java.lang.UnsupportedClassVersionError: class file version 65.0, this version of the Java Runtime only recognizes class file versions up to 61.0" >&2',
      'exit 1',
    ].join('\n'), { mode: 0o755 });
    await assert.rejects(startFirestoreEmulator({ java: oldJava }), (error: Error) =>
      error instanceof EmulatorUnavailableError && /needs a newer Java than .*old-java/.test(error.message) && /Java 21 or later/.test(error.message));
  });

  it("fails with the emulator's output when it is not ready in time", async function () {
    await assert.rejects(startPubSubEmulator({ readyTimeoutMs: 1 }), (error: Error) =>
      error instanceof EmulatorStartError && /not ready after 1 ms\. Its output:/.test(error.message));
  });

  it('kills the emulators when the test process exits without stopping them', async function () {
    const harness = fileURLToPath(new URL('../../dev/emulators.js', import.meta.url));
    const script = `
      const { startPubSubEmulator } = await import(${JSON.stringify(harness)});
      const emulator = await startPubSubEmulator();
      process.stdout.write(String(emulator.pid));
      process.exit(0);
    `;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 }, (error, out) => (error ? reject(new Error(error.message, { cause: error })) : resolve(out)));
    });
    const pid = Number(stdout);
    assert.ok(pid > 0, `the child reported the emulator's pid (${stdout})`);
    for (let i = 0; i < 50 && isRunning(pid); i += 1) await sleep(100);
    assert.equal(isRunning(pid), false);
  });

  it('refuses to build a Firestore client that FIRESTORE_EMULATOR_HOST would send elsewhere', function () {
    const emulator = { host: '127.0.0.1:1111', projectId: 'demo' } as Emulator;
    const before = process.env.FIRESTORE_EMULATOR_HOST;
    process.env.FIRESTORE_EMULATOR_HOST = '127.0.0.1:2222';
    try {
      assert.throws(() => firestoreClient(emulator), /FIRESTORE_EMULATOR_HOST=127\.0\.0\.1:2222/);
    } finally {
      if (before === undefined) delete process.env.FIRESTORE_EMULATOR_HOST;
      else process.env.FIRESTORE_EMULATOR_HOST = before;
    }
  });
});
