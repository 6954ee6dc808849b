// Moved to dev/free-port.ts with the emulator launcher; tests keep importing it from here.
export * from '../../dev/free-port.js';
