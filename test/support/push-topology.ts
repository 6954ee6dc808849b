// Moved to dev/push-topology.ts (the local stack wires Pub/Sub the same way); tests keep importing it from here.
export * from '../../dev/push-topology.js';
