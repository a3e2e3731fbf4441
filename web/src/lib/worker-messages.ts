import type { ClientMessage, ServerMessage, SocketTarget } from '../../../src/protocol/index.js';
import type { ConnectionState, EndReason } from './stream-connection.js';

/** Page → worker. */
export type ToWorker =
  | { type: 'start'; target: SocketTarget; online: boolean }
  | { type: 'online'; online: boolean }
  | { type: 'send'; message: ClientMessage }
  | { type: 'stop' };

/** Worker → page. */
export type ToPage =
  | { type: 'message'; message: ServerMessage }
  | { type: 'state'; state: ConnectionState; retryInMs?: number; error?: string }
  | { type: 'ended'; reason: EndReason };
