// A minimal WebSocket client on a raw `net` socket, so that the generator spends far less CPU
// per connection and per message than the servers it measures. It writes the upgrade request
// by hand, reads the status (101, or the refusal), then parses unmasked server frames.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { OPCODE, WsFrameParser, maskedFrame } from './ws-frame-parser.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/**
 * Sec-WebSocket-Key values and the Sec-WebSocket-Accept each must produce, made once: drawing
 * random bytes and hashing per connection cost the generator more than a tenth of the
 * server's whole handshake. The server still derives every accept value itself; the key only
 * has to be 16 bytes in base64, not unpredictable, for a benchmark.
 */
const HANDSHAKE_KEY_POOL = Array.from({ length: 1024 }, () => {
  const key = randomBytes(16).toString('base64');
  return { key, accept: Buffer.from(createHash('sha1').update(key + WS_GUID).digest('base64'), 'latin1') };
});
let nextHandshakeKey = 0;
/**
 * Every socket reads into this one buffer (net's `onread`): no Buffer and no stream 'data'
 * event per read, which halves the generator's cost per delivered message. Consumers use the
 * bytes synchronously and copy what they keep.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');
const CLOSE_NORMAL = 1000;

export interface RawWsTarget {
  host: string;
  port: number;
  /** Path and query, e.g. `/ws/all-seat-datasocket/?key=…`. */
  path: string;
  /** Source address (any of 127.0.0.0/8), so 100,000 connections to one port do not run out of ports. */
  localAddress?: string;
}

export interface RawWsEvents {
  message(data: Buffer): void;
  closed?(code: number | undefined, reason: string): void;
}

export type RawConnectOutcome =
  | { kind: 'open'; ws: RawWs }
  | { kind: 'refused'; status: number }
  | { kind: 'failed'; reason: string };

export class RawWs {
  private closedAlready = false;

  private readonly parser = new WsFrameParser({
    message: (data) => this.events.message(data),
    ping: (payload) => this.write(OPCODE.pong, payload),
    close: (code, reason) => {
      this.write(OPCODE.close, closePayload(CLOSE_NORMAL));
      this.socket.end();
      this.finish(code, reason);
    },
    protocolError: (code, reason) => {
      this.write(OPCODE.close, closePayload(code));
      this.socket.destroy();
      this.finish(code, reason);
    },
  });

  constructor(
    private readonly socket: Socket,
    private readonly events: RawWsEvents,
  ) {
    socket.on('close', () => this.finish(undefined, 'socket closed'));
  }

  /** Bytes read after the 101 head; may live in the shared read buffer (see READ_BUFFER). */
  receive(chunk: Buffer): void {
    this.parser.push(chunk);
  }

  sendText(text: string): void {
    this.write(OPCODE.text, Buffer.from(text, 'utf8'));
  }

  /** Closing handshake: a masked close frame, then FIN. */
  close(): void {
    this.write(OPCODE.close, closePayload(CLOSE_NORMAL));
    this.socket.end();
  }

  /** Drops the TCP connection at once (cheapest for the server too: no closing handshake). */
  destroy(): void {
    this.socket.destroy();
  }

  private write(opcode: number, payload: Buffer): void {
    if (this.socket.writable) this.socket.write(maskedFrame(opcode, payload, randomBytes(4)));
  }

  private finish(code: number | undefined, reason: string): void {
    if (this.closedAlready) return;
    this.closedAlready = true;
    this.events.closed?.(code, reason);
  }
}

function closePayload(code: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code, 0);
  return b;
}

const STATUS_LINE_PREFIX = Buffer.from('HTTP/1.1 ');

/** The three-digit status of `HTTP/1.1 NNN …`, read from the bytes. */
function statusOf(head: Buffer): number | undefined {
  if (head.length < 12 || head.compare(STATUS_LINE_PREFIX, 0, 9, 0, 9) !== 0) return undefined;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const d = head[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    status = status * 10 + d;
  }
  return status;
}

/** Opens one connection; never rejects, the outcome says what happened. */
export function connectRawWs(target: RawWsTarget, events: RawWsEvents, timeoutMs: number): Promise<RawConnectOutcome> {
  return new Promise((resolve) => {
    const pair = HANDSHAKE_KEY_POOL[nextHandshakeKey++ % HANDSHAKE_KEY_POOL.length]!;
    let receive = (chunk: Buffer): void => onHead(chunk);
    const socket = connect({
      host: target.host,
      port: target.port,
      ...(target.localAddress ? { localAddress: target.localAddress } : {}),
      onread: {
        buffer: READ_BUFFER,
        callback: (n) => {
          receive(READ_BUFFER.subarray(0, n));
          return true;
        },
      },
    });
    let head: Buffer = Buffer.alloc(0);
    let settled = false;
    const settle = (outcome: RawConnectOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome.kind !== 'open') socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'failed', reason: 'timeout' }), timeoutMs);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0) {
        if (head.length > MAX_RESPONSE_HEAD_BYTES) settle({ kind: 'failed', reason: 'response head too long' });
        return;
      }
      const status = statusOf(head);
      if (status === undefined) return settle({ kind: 'failed', reason: 'bad status line' });
      if (status !== 101) return settle({ kind: 'refused', status });
      // The accept value is unique to our key; finding it in the head is enough of a check.
      const accept = head.indexOf(pair.accept);
      if (accept < 0 || accept > end) return settle({ kind: 'failed', reason: 'bad Sec-WebSocket-Accept' });
      const ws = new RawWs(socket, events);
      receive = (c) => ws.receive(c);
      settle({ kind: 'open', ws });
      const rest = head.subarray(end + HEAD_END.length);
      if (rest.length > 0) ws.receive(rest);
    };
    socket.on('error', (err) => settle({ kind: 'failed', reason: err.message }));
    socket.on('close', () => settle({ kind: 'failed', reason: 'closed during handshake' }));
    socket.write(
      `GET ${target.path} HTTP/1.1\r\n` +
        `Host: ${target.host}:${target.port}\r\n` +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${pair.key}\r\n` +
        'Sec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}
