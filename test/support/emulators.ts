// The emulator launcher moved to dev/emulators.ts (the local stack uses it too); tests keep importing it from here.
export * from '../../dev/emulators.js';
