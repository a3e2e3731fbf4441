import type { WebSocket } from 'ws';
import type { Connection } from './connection.js';

/** `binary: false` keeps a Buffer a text frame: the bytes are already UTF-8 JSON. Allocated once. */
const TEXT_FRAME = { binary: false } as const;

/** A `ws` socket behind the Connection interface. With upgrade/acceptor.ts, the only realtime file that knows `ws`. */
export class WsConnection implements Connection {
  /** Pings sent since the last pong. */
  missedPings = 0;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
  ) {
    ws.on('pong', () => {
      this.missedPings = 0;
    });
  }

  send(data: string | Buffer): void {
    this.ws.send(data, TEXT_FRAME);
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  batch(fn: () => void): void {
    // ws writes each frame as soon as it is sent; corking its socket (ws keeps it as `_socket`)
    // lets the frames of one burst leave in a single write: one syscall per connection start.
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!socket) return fn();
    socket.cork();
    try {
      fn();
    } finally {
      socket.uncork();
    }
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
}

/**
 * One timer for every connection: each tick drops the peers that missed `maxMissed` pings in a
 * row and pings the rest.
 */
export function startHeartbeat(connections: () => Iterable<WsConnection>, intervalMs: number, maxMissed: number): () => void {
  const timer = setInterval(() => {
    for (const conn of connections()) {
      if (conn.missedPings >= maxMissed) {
        conn.ws.terminate();
        continue;
      }
      conn.missedPings += 1;
      conn.ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
