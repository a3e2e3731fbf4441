// A minimal WebSocket client on a raw `net` socket, so that the generator spends far less CPU
// per connection and per message than the servers it measures. It writes the upgrade request
// by hand, reads the status (101, or the refusal), then parses unmasked server frames.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { OPCODE, WsFrameParser, maskedFrame } from './ws-frame-parser.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');
const CLOSE_NORMAL = 1000;

export interface RawWsTarget {
  host: string;
  port: number;
  /** Path and query, e.g. `/ws/all-seat-datasocket/?key=…`. */
  path: string;
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

  constructor(
    private readonly socket: Socket,
    private readonly events: RawWsEvents,
  ) {}

  /** Called by connectRawWs with the bytes that followed the 101 response head. */
  attach(rest: Buffer): void {
    const parser = new WsFrameParser({
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
    this.socket.on('data', (chunk: Buffer) => parser.push(chunk));
    this.socket.on('close', () => this.finish(undefined, 'socket closed'));
    if (rest.length > 0) parser.push(rest);
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

/** Opens one connection; never rejects, the outcome says what happened. */
export function connectRawWs(target: RawWsTarget, events: RawWsEvents, timeoutMs: number): Promise<RawConnectOutcome> {
  return new Promise((resolve) => {
    const secKey = randomBytes(16).toString('base64');
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    let head: Buffer = Buffer.alloc(0);
    let settled = false;
    const settle = (outcome: RawConnectOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeListener('data', onHead);
      if (outcome.kind !== 'open') socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'failed', reason: 'timeout' }), timeoutMs);
    const onHead = (chunk: Buffer) => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0) {
        if (head.length > MAX_RESPONSE_HEAD_BYTES) settle({ kind: 'failed', reason: 'response head too long' });
        return;
      }
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1]);
      if (!Number.isInteger(status)) return settle({ kind: 'failed', reason: `bad status line: ${lines[0]}` });
      if (status !== 101) return settle({ kind: 'refused', status });
      const expected = createHash('sha1').update(secKey + WS_GUID).digest('base64');
      const accept = lines.find((l) => /^sec-websocket-accept:/i.test(l))?.split(':')[1]?.trim();
      if (accept !== expected) return settle({ kind: 'failed', reason: 'bad Sec-WebSocket-Accept' });
      const ws = new RawWs(socket, events);
      settle({ kind: 'open', ws });
      ws.attach(head.subarray(end + HEAD_END.length));
    };
    socket.on('data', onHead);
    socket.on('error', (err) => settle({ kind: 'failed', reason: err.message }));
    socket.on('close', () => settle({ kind: 'failed', reason: 'closed during handshake' }));
    socket.write(
      `GET ${target.path} HTTP/1.1\r\n` +
        `Host: ${target.host}:${target.port}\r\n` +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${secKey}\r\n` +
        'Sec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}
