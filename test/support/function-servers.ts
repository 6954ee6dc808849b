// Moved to dev/function-servers.ts (the local stack serves the functions the same way); tests keep importing it from here.
export * from '../../dev/function-servers.js';
