// Socket.IO 4, websocket transport only. A wrong key is refused by the `io.use` middleware,
// which runs after the WebSocket upgrade and the Engine.IO open: the refusal costs a handshake.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import {
  SOCKETIO_EVENT,
  SOCKETIO_REFUSAL,
  WS_PATH,
  broadcastHandler,
  keyChecker,
  listenAndAnnounce,
  readKeyFromEnv,
} from './target-kit.js';

const ROOM = 'all-seats';

const keyMatches = keyChecker(readKeyFromEnv());

const server = createServer(
  broadcastHandler((message) => {
    io.to(ROOM).emit(SOCKETIO_EVENT, message);
  }),
);

// Socket.IO adds its own `request` listener and hands every other path to ours.
const io = new Server(server, {
  path: WS_PATH,
  transports: ['websocket'],
  serveClient: false,
});

io.use((socket, next) => {
  const key = socket.handshake.auth?.key ?? socket.handshake.query.key;
  if (keyMatches(key)) next();
  else next(new Error(SOCKETIO_REFUSAL));
});

io.on('connection', (socket) => {
  void socket.join(ROOM);
});

listenAndAnnounce(server, () => {
  io.disconnectSockets(true);
});
