import { describe, expect, it } from 'vitest';
import { routeSocketPath } from '../src/realtime/sockets.js';
import { afterClose, CLOSE, DISCONNECTS, socketPath, SOCKET_NAMES, type CloseAction } from '../src/protocol/index.js';

describe('the socket contract', () => {
  it('builds paths the server routes to the same socket', () => {
    expect(routeSocketPath(socketPath({ socket: 'live-orders' }))).toEqual({ socket: 'live-orders' });
    expect(routeSocketPath(socketPath({ socket: 'chat' }))).toEqual({ socket: 'chat' });
    expect(routeSocketPath(socketPath({ socket: 'payment', orderId: 244 }))).toEqual({ socket: 'payment', orderId: '244' });
    expect(SOCKET_NAMES).toEqual(['live-orders', 'payment', 'chat']);
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
