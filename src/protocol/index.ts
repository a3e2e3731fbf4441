/**
 * The external contract of scan2food (SPEC §3, §4) in one types-and-constants module, imported by
 * the server and bundled into the web app. Nothing here imports anything outside this folder, and
 * nothing runs at import time: a change here changes both sides, and both type checks see it.
 */
export * from './api.js';
export * from './close-codes.js';
export * from './messages.js';
export * from './order-state.js';
export * from './sockets.js';
export * from './totals.js';
export * from './views.js';
export * from './gstin.js';
export * from './reports.js';
export * from './invoice-prefix.js';
