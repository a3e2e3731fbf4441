import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Closes a connection that has not delivered a complete request (HTTP or WebSocket upgrade)
 * within `ms` of opening. Node's header timeout only runs from a request's first byte, and its
 * idle socket timeout is re-armed by the periodic request-timeout check, so a client that opens
 * connections and never sends a byte would otherwise hold them forever. Requests that did start
 * are Node's: headersTimeout and requestTimeout answer them 408.
 */
export function closeSilentConnections(server: Server, ms: number): void {
  const spoke = new WeakSet<Socket>();
  const heard = (req: { socket: Socket }) => spoke.add(req.socket);
  server.on('request', heard);
  server.on('upgrade', heard);
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => {
      if (!spoke.has(socket)) socket.destroy();
    }, ms);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}
