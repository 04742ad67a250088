/**
 * Public surface of the protocol spec: frame table, payload schemas and types, u64 helpers, codec.
 */
export * from './u64.js';
export * from './schema.js';
export * from './payload-schemas.js';
export * from './frame-table.js';
export * from './messages.js';
export * from './error-codes.js';
export * from './frame-errors.js';
export * from './codec.js';
export * from './examples.js';
export * from './room-message-peek.js';
export * from './rule-levels.js';
