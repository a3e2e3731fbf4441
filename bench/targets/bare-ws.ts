// Baseline: ws@8 with noServer; the key is checked in the HTTP `upgrade` event and a wrong
// key is refused with 401 before any WebSocket handshake work.
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  WS_PATH,
  broadcastHandler,
  keyChecker,
  listenAndAnnounce,
  readKeyFromEnv,
  requestPath,
} from './target-kit.js';

const keyMatches = keyChecker(readKeyFromEnv());
const subscribers = new Set<WebSocket>();
const wss = new WebSocketServer({ noServer: true, clientTracking: false });

function refuse(socket: Duplex, status: 401 | 404, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

const server = createServer(
  broadcastHandler((message) => {
    for (const c of subscribers) c.send(message);
  }),
);

server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => socket.destroy());
  const { pathname, query } = requestPath(req);
  if (pathname !== WS_PATH) return refuse(socket, 404, 'Not Found');
  if (!keyMatches(query.get('key'))) return refuse(socket, 401, 'Unauthorized');
  wss.handleUpgrade(req, socket, head, (ws) => {
    subscribers.add(ws);
    ws.on('close', () => subscribers.delete(ws));
    ws.on('error', () => ws.terminate());
  });
});

listenAndAnnounce(server, () => {
  for (const c of subscribers) c.terminate();
});
