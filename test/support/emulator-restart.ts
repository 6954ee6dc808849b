import { startFirestoreEmulator, startPubSubEmulator, type Emulator } from '../../dev/emulators.js';

/**
 * Stop an emulator and start one of the same kind on the same port, so the clients pointed at it
 * reconnect to the new one. The emulators keep their state in memory: the new one starts empty.
 */
export async function restartEmulator(emulator: Emulator): Promise<Emulator> {
  await emulator.stop();
  const start = emulator.kind === 'pubsub' ? startPubSubEmulator : startFirestoreEmulator;
  // The port must be the same one: if another process took it meanwhile, this fails and says so.
  return start({ projectId: emulator.projectId, choosePort: () => Promise.resolve(emulator.port) });
}
