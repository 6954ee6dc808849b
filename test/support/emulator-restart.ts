import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startFirestoreEmulator, startPubSubEmulator, type Emulator } from '../../dev/emulators.js';

/**
 * Stop an emulator and start one of the same kind on the same port, so the clients pointed at it
 * reconnect to the new one. The emulators keep their state in memory: the new one starts empty,
 * unless a Firestore one is given an export to start from (`importData`, see exportFirestore).
 */
export async function restartEmulator(emulator: Emulator, options: { importData?: string } = {}): Promise<Emulator> {
  await emulator.stop();
  const start = emulator.kind === 'pubsub' ? startPubSubEmulator : startFirestoreEmulator;
  // The port must be the same one: if another process took it meanwhile, this fails and says so.
  return start({ projectId: emulator.projectId, choosePort: () => Promise.resolve(emulator.port), ...options });
}

/**
 * The documents of one project of the Firestore emulator, exported into `dir` (the emulator's REST
 * export); returns the metadata file that `importData` takes.
 */
export async function exportFirestore(emulator: Emulator, projectId: string, dir: string): Promise<string> {
  const response = await fetch(`http://${emulator.host}/emulator/v1/projects/${projectId}:export`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ database: `projects/${projectId}/databases/(default)`, export_directory: dir }),
  });
  if (!response.ok) throw new Error(`exporting the Firestore emulator failed: HTTP ${response.status} ${await response.text()}`);
  const [exported] = (await readdir(dir)).filter((name) => name.startsWith('firestore_export_'));
  if (!exported) throw new Error(`the Firestore emulator exported nothing into ${dir}`);
  return join(dir, exported, `${exported}.overall_export_metadata`);
}
