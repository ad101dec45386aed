/** The fake CRM of the sandbox: invented customers over HTTP on loopback, with fault knobs. */
export { startFakeCrm, type FakeCrm, type FakeCrmOptions } from './server.js';
export { customerRecord, DEFAULT_CUSTOMER_SEED, entityRecord, type CustomerRecord } from './records.js';
export { CustomerDirectory, normalizeIdentifier, type CustomerIdentifiers, type IdentifierKind } from './directory.js';
