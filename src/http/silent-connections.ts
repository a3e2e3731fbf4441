import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Closes a connection that has not delivered a complete request (HTTP or WebSocket upgrade)
 * within `ms` of opening. Node's header timeout only runs from a request's first byte, and its
 * idle socket timeout is re-armed by the periodic request-timeout check, so a client that opens
 * connections and never sends a byte would otherwise hold them forever. Requests that did start
 * are Node's: headersTimeout and requestTimeout answer them 408.
 *
 * A connection's timer is cleared as soon as it delivers a request: a long-lived connection (a
 * WebSocket) keeps nothing of this check. The listeners are shared functions (no closure per
 * connection); the pending timer is found through a WeakMap.
 */
export function closeSilentConnections(server: Server, ms: number): void {
  const pending = new WeakMap<Socket, NodeJS.Timeout>();
  function destroyIfSilent(socket: Socket): void {
    pending.delete(socket);
    socket.removeListener('close', forget);
    socket.destroy();
  }
  function forget(this: Socket): void {
    const timer = pending.get(this);
    if (timer === undefined) return;
    clearTimeout(timer);
    pending.delete(this);
    this.removeListener('close', forget);
  }
  const heard = (req: { socket: Socket }) => forget.call(req.socket);
  server.on('request', heard);
  server.on('upgrade', heard);
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(destroyIfSilent, ms, socket);
    timer.unref();
    pending.set(socket, timer);
    socket.on('close', forget);
  });
}
