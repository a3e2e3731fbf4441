import type { Socket } from 'node:net';
import * as wsModule from 'ws';
import type { WebSocket } from 'ws';
import { SharedFrame, type Connection } from './connection.js';

/** `binary: false` keeps a Buffer a text frame: the bytes are already UTF-8 JSON. Allocated once. */
const TEXT_FRAME = { binary: false } as const;

/** ws's frame builder (exported by ws at run time, not by its type declarations). */
interface FrameBuilder {
  frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[];
}
const Sender = (wsModule as unknown as { Sender: FrameBuilder }).Sender;
/** A final, unmasked, uncompressed text frame: what a server sends (RFC 6455 §5.2). */
const TEXT_FRAME_HEADER = { fin: true, opcode: 0x1, mask: false, readOnly: false, rsv1: false } as const;

/** One text frame, header and payload in one buffer, exactly as `ws.send(payload, { binary: false })` writes it. */
export function frameText(payload: Buffer): Buffer {
  const parts = Sender.frame(payload, TEXT_FRAME_HEADER);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, parts[0]!.length + payload.length);
}

/** The parts of a `ws` socket a pre-framed write must check (private in ws, stable across ws 8). */
interface WsInternals {
  _socket?: Socket;
  _sender?: { _state?: number; _bufferedBytes?: number };
  _extensions?: Record<string, unknown>;
}

/** A `ws` socket behind the Connection interface. With upgrade/acceptor.ts, the only realtime file that knows `ws`. */
export class WsConnection implements Connection {
  /** Pings sent since the last pong. */
  missedPings = 0;
  /**
   * Whether an event's shared frame may be written straight to the TCP socket: only when no
   * extension transforms frames (permessage-deflate would compress each one per socket).
   */
  private readonly preframed: boolean;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
  ) {
    ws.on('pong', () => {
      this.missedPings = 0;
    });
    const internals = ws as unknown as WsInternals;
    this.preframed = internals._extensions !== undefined && Object.keys(internals._extensions).length === 0;
  }

  send(data: string | Buffer | SharedFrame): void {
    if (!(data instanceof SharedFrame)) return this.ws.send(data, TEXT_FRAME);
    const socket = this.preframed ? this.idleSocket() : undefined;
    // The same bytes for every follower: framed by the first socket, written as is by the rest.
    if (socket) socket.write((data.wire ??= frameText(data.payload)));
    else this.ws.send(data.payload, TEXT_FRAME);
  }

  /**
   * The TCP socket, when a frame written to it now leaves in order: the WebSocket is open and
   * ws's sender holds nothing queued (it queues only while compressing or reading a Blob).
   * Otherwise ws.send does the write, so ordering and closing stay ws's.
   */
  private idleSocket(): Socket | undefined {
    if (this.ws.readyState !== 1) return undefined;
    const { _socket: socket, _sender: sender } = this.ws as unknown as WsInternals;
    if (!socket || !sender || sender._state !== 0 || sender._bufferedBytes !== 0) return undefined;
    return socket;
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
