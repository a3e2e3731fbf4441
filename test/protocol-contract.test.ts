import { describe, expect, it } from 'vitest';
import * as realtimeClose from '../src/realtime/close-codes.js';
import type { ClientMessage as DecodedClientMessage } from '../src/realtime/protocol.js';
import { routeSocketPath, SOCKET_NAMES as ROUTED_SOCKETS } from '../src/realtime/sockets.js';
import { SUBPROTOCOL as ACCEPTED_SUBPROTOCOL } from '../src/realtime/upgrade/authenticate.js';
import {
  afterClose,
  CLOSE,
  DISCONNECTS,
  socketPath,
  SOCKET_NAMES,
  SUBPROTOCOL,
  type ClientMessage,
  type CloseAction,
  type ErrorMessage,
} from '../src/protocol/index.js';

/** True only when A and B are the same type; checked by `npm run typecheck`. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// The socket's decoder (zod, at the edge) accepts exactly the client messages of the contract,
// and its reply errors are the contract's.
const decoderIsTheContract: Same<DecodedClientMessage, ClientMessage> = true;
const replyErrorsAreTheContract: Same<realtimeClose.ReplyError, ErrorMessage> = true;

describe('the socket contract', () => {
  it('builds paths the server routes to the same socket', () => {
    expect(routeSocketPath(socketPath({ socket: 'live-orders' }))).toEqual({ socket: 'live-orders' });
    expect(routeSocketPath(socketPath({ socket: 'chat' }))).toEqual({ socket: 'chat' });
    expect(routeSocketPath(socketPath({ socket: 'payment', orderId: 244 }))).toEqual({ socket: 'payment', orderId: '244' });
    expect(SOCKET_NAMES).toEqual(ROUTED_SOCKETS);
    expect(ACCEPTED_SUBPROTOCOL).toBe(SUBPROTOCOL);
    expect([decoderIsTheContract, replyErrorsAreTheContract]).toEqual([true, true]);
  });

  it('closes with the codes and reasons the contract gives the clients', () => {
    expect(realtimeClose.CLOSE).toEqual(CLOSE);
    expect(realtimeClose.DISCONNECTS).toEqual(DISCONNECTS);
  });

  it('says what a client does after each close code', () => {
    const rules: Array<[number, string, CloseAction]> = [
      [CLOSE.normal, DISCONNECTS.done.reason, 'stop'],
      [CLOSE.goingAway, DISCONNECTS.shutdown.reason, 'backoff'],
      [CLOSE.policyViolation, DISCONNECTS.abusive.reason, 'backoff'],
      [CLOSE.messageTooBig, '', 'backoff'],
      [CLOSE.internalError, DISCONNECTS.internal.reason, 'backoff'],
      [CLOSE.credentialRetired, DISCONNECTS.credentialRetired.reason, 'new-ticket'],
      [CLOSE.scopeLost, DISCONNECTS.scopeLost.reason, 'new-ticket'],
      [CLOSE.scopeLost, 'session ended', 'sign-in'],
      [CLOSE.tooSlow, DISCONNECTS.tooSlow.reason, 'resume'],
      [1006, '', 'backoff'],
    ];
    for (const [code, reason, action] of rules) expect([code, reason, afterClose(code, reason)]).toEqual([code, reason, action]);
  });
});
