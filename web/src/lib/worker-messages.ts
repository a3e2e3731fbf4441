import type { ConnectionState } from './stream-connection.js';
import type { SocketName } from './tickets.js';
import type { ServerMessage } from './types.js';

/** Page → worker. */
export type ToWorker =
  | { type: 'start'; socket: SocketName; path: string; online: boolean }
  | { type: 'online'; online: boolean }
  | { type: 'send'; message: unknown }
  | { type: 'stop' };

/** Worker → page. */
export type ToPage =
  | { type: 'message'; message: ServerMessage }
  | { type: 'state'; state: ConnectionState; retryInMs?: number; error?: string }
  | { type: 'fatal'; status: number };
