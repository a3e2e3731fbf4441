// One connect() for every kind of target, so the load generator's phases are protocol-blind.
// raw-ws: our own client on `net` (cheap); socketio: socket.io-client (costs the generator more).
import { io } from 'socket.io-client';
import type { ClientKind } from '../targets/index.js';
import { BIND_HOST, SOCKETIO_EVENT, SOCKETIO_REFUSAL, WS_PATH } from '../targets/target-kit.js';
import { decodeBenchFrame, decodeBenchString, type BenchMessage } from './bench-message.js';
import { connectRawWs } from './raw-ws-client.js';

export interface GenConnection {
  /** Ends the connection as cheaply as the client allows (raw: TCP drop; Socket.IO: disconnect). */
  destroy(): void;
  /** Resolves when the server ends the connection, with a description (close code, reason). */
  readonly ended: Promise<string>;
}

export type Refusal = 'before-upgrade' | 'after-upgrade';

export type ConnectOutcome =
  | { kind: 'open'; conn: GenConnection }
  | { kind: 'refused'; where: Refusal; detail: string }
  | { kind: 'failed'; reason: string };

/** Receives every decoded bench message; undefined for a message it could not decode. */
export type OnBenchMessage = (msg: BenchMessage | undefined) => void;

export type Connector = (key: string, onMessage: OnBenchMessage, timeoutMs: number) => Promise<ConnectOutcome>;

export function connectorFor(kind: ClientKind, port: number): Connector {
  return kind === 'raw-ws' ? rawConnector(port) : socketioConnector(port);
}

function rawConnector(port: number): Connector {
  return async (key, onMessage, timeoutMs) => {
    let endedResolve!: (why: string) => void;
    const ended = new Promise<string>((r) => (endedResolve = r));
    const outcome = await connectRawWs(
      { host: BIND_HOST, port, path: `${WS_PATH}?key=${encodeURIComponent(key)}` },
      {
        message: (data) => {
          const decoded = decodeBenchFrame(data);
          if (decoded !== null) onMessage(decoded);
        },
        closed: (code, reason) => endedResolve(`close ${code ?? 'none'} ${reason}`.trim()),
      },
      timeoutMs,
    );
    if (outcome.kind === 'refused') return { kind: 'refused', where: 'before-upgrade', detail: `HTTP ${outcome.status}` };
    if (outcome.kind === 'failed') return outcome;
    const ws = outcome.ws;
    return { kind: 'open', conn: { destroy: () => ws.destroy(), ended } };
  };
}

function socketioConnector(port: number): Connector {
  return (key, onMessage, timeoutMs) =>
    new Promise((resolve) => {
      const socket = io(`http://${BIND_HOST}:${port}`, {
        path: WS_PATH,
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        timeout: timeoutMs,
        auth: { key },
      });
      let endedResolve!: (why: string) => void;
      const ended = new Promise<string>((r) => (endedResolve = r));
      socket.on(SOCKETIO_EVENT, (text: string) => onMessage(decodeBenchString(text)));
      socket.on('disconnect', (reason) => endedResolve(`disconnect ${reason}`));
      socket.once('connect', () => resolve({ kind: 'open', conn: { destroy: () => socket.disconnect(), ended } }));
      socket.once('connect_error', (err) => {
        socket.disconnect();
        // The middleware's error only reaches the client through an open Engine.IO session,
        // i.e. after the WebSocket upgrade; anything else is a transport failure.
        if (err.message === SOCKETIO_REFUSAL) resolve({ kind: 'refused', where: 'after-upgrade', detail: `CONNECT_ERROR ${err.message}` });
        else resolve({ kind: 'failed', reason: err.message });
      });
    });
}
