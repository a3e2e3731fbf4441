import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import * as wsModule from 'ws';
import { WebSocket } from 'ws';
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
  _socket: Socket | null;
  _sender: { _state?: number; _bufferedBytes?: number } | null;
  _extensions: Record<string, unknown>;
}

/** What ws's own `send` takes. */
type WsData = Parameters<WebSocket['send']>[0];
type SendCallback = (err?: Error) => void;
interface SendOptions {
  mask?: boolean;
  binary?: boolean;
  compress?: boolean;
  fin?: boolean;
}

/** The listener of every socket's pongs (shared: no closure per socket). */
function onPong(this: WebSocket): void {
  (this as WsConnection).missedPings = 0;
}

/**
 * A `ws` socket that is itself the Connection: the acceptor's WebSocketServer makes its sockets
 * of this class (ws's `WebSocket` option), so an idle connection is one object here, with its
 * heartbeat count, its id and the object it feeds as fields, and no closure of its own. With
 * upgrade/acceptor.ts, the only realtime file that knows `ws`.
 *
 * `send` keeps ws's own signature for callers that pass ws's options; without them a Buffer
 * goes as a text frame (it is already UTF-8 JSON), and a SharedFrame as described below.
 */
export class WsConnection<Owner = unknown> extends WebSocket implements Connection {
  /** Pings sent since the last pong. */
  missedPings = 0;
  /** What this socket feeds (the acceptor's client): how the acceptor's shared listeners find it. */
  owner: Owner | null = null;
  /** This process's number for the connection (see `id`). */
  private readonly serial = nextSerial++;
  /**
   * Whether an event's shared frame may be written straight to the TCP socket: only when no
   * extension transforms frames (permessage-deflate would compress each one per socket).
   * Known once the handshake is done (`opened`).
   */
  private preframed = false;

  /**
   * The handshake is done (called in ws's upgrade callback, before any frame is read or sent):
   * the heartbeat's pongs are counted, and how the connection may write is known.
   */
  opened(): void {
    this.on('pong', onPong);
    this.preframed = Object.keys((this as unknown as WsInternals)._extensions).length === 0;
  }

  /**
   * Unique across processes and restarts (a random prefix per process, then the connection's
   * number): in the hello and in every log line of the connection. Made when asked, so an idle
   * connection keeps a number, not a string.
   */
  get id(): string {
    return `${ID_PREFIX}${this.serial.toString(36)}`;
  }

  /** The heartbeat's slot (startHeartbeat): consecutive connections fall in consecutive slices. */
  get heartbeatSlot(): number {
    return this.serial;
  }

  override send(data: SharedFrame | WsData, cb?: SendCallback): void;
  override send(data: SharedFrame | WsData, options: SendOptions, cb?: SendCallback): void;
  override send(data: SharedFrame | WsData, options?: SendOptions | SendCallback, cb?: SendCallback): void {
    if (!(data instanceof SharedFrame)) {
      if (options === undefined || typeof options === 'function') return super.send(data, TEXT_FRAME, options);
      return super.send(data, options, cb);
    }
    const socket = this.preframed ? this.idleSocket() : null;
    // The same bytes for every follower: framed by the first socket, written as is by the rest.
    if (socket) socket.write((data.wire ??= frameText(data.payload)));
    else super.send(data.payload, TEXT_FRAME);
  }

  /**
   * The TCP socket, when a frame written to it now leaves in order: the WebSocket is open and
   * ws's sender holds nothing queued (it queues only while compressing or reading a Blob).
   * Otherwise ws.send does the write, so ordering and closing stay ws's.
   */
  private idleSocket(): Socket | null {
    if (this.readyState !== 1) return null;
    const { _socket: socket, _sender: sender } = this as unknown as WsInternals;
    if (!socket || !sender || sender._state !== 0 || sender._bufferedBytes !== 0) return null;
    return socket;
  }

  batch(fn: () => void): void {
    // ws writes each frame as soon as it is sent; corking its socket (ws keeps it as `_socket`)
    // lets the frames of one burst leave in a single write: one syscall per connection start.
    const socket = (this as unknown as WsInternals)._socket;
    if (!socket) return fn();
    socket.cork();
    try {
      fn();
    } finally {
      socket.uncork();
    }
  }
}

/** 72 random bits per process, then `-`: ids of two processes never meet. */
const ID_PREFIX = `${randomBytes(9).toString('base64url')}-`;
let nextSerial = 1;

/** What the heartbeat needs of a connection. */
export interface Heartbeating {
  missedPings: number;
  /** Which slice of the interval pings it (any stable number; WsConnection's serial). */
  readonly heartbeatSlot: number;
  ping(): void;
  terminate(): void;
}

/** Pings go out over this many slices of the interval at most (one slice per 100 ms of it). */
export const HEARTBEAT_SLICES = 10;

/**
 * One timer for every connection: each peer is pinged once per `intervalMs`, and dropped once it
 * has missed `maxMissed` pings in a row. The interval is cut into slices, each pinging the
 * connections of its slot, so 100,000 connections are never pinged (nor answer) in one burst: a
 * burst of 1,000 pings and their pongs held the event loop for tens of milliseconds, in the middle
 * of whatever webhook came then.
 */
export function startHeartbeat(connections: () => Iterable<Heartbeating>, intervalMs: number, maxMissed: number): () => void {
  const slices = Math.max(1, Math.min(HEARTBEAT_SLICES, Math.floor(intervalMs / 100)));
  let tick = 0;
  const timer = setInterval(() => {
    const slice = tick++ % slices;
    for (const conn of connections()) {
      if (conn.heartbeatSlot % slices !== slice) continue;
      if (conn.missedPings >= maxMissed) {
        conn.terminate();
        continue;
      }
      conn.missedPings += 1;
      conn.ping();
    }
  }, intervalMs / slices);
  timer.unref();
  return () => clearInterval(timer);
}
