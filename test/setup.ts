// Offline, Google clients probe the metadata server for credentials; point them at a closed port.
process.env.GCE_METADATA_HOST ??= '127.0.0.1:1';
process.env.METADATA_SERVER_DETECTION ??= 'none';
export const mochaHooks = {};
