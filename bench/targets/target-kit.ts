// What every benchmark target shares: the contract the harness drives.
//  - WebSocket endpoint at WS_PATH, credential `?key=<BENCH_KEY>`;
//  - `POST /broadcast` (body = the message) sends it to every accepted socket, answers 204;
//  - listens on 127.0.0.1 port 0 and prints `{"port":…,"pid":…}` as its first stdout line;
//  - exits on SIGTERM/SIGINT or when stdin closes (the harness died).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export const WS_PATH = '/ws/all-seat-datasocket/';
export const BROADCAST_PATH = '/broadcast';
export const BIND_HOST = '127.0.0.1';
/** Bigger than any benchmark message; a broadcast body above it is refused with 413. */
export const MAX_BROADCAST_BYTES = 1 << 20;
/** Socket.IO targets emit broadcasts under this event name and refuse with this error message. */
export const SOCKETIO_EVENT = 'm';
export const SOCKETIO_REFUSAL = 'unauthorized';
/** Kernel accept queue; the generator opens hundreds of connections at once. */
export const LISTEN_BACKLOG = 4096;

export function readKeyFromEnv(): string {
  const key = process.env.BENCH_KEY;
  if (!key) {
    process.stderr.write('BENCH_KEY is not set\n');
    process.exit(2);
  }
  return key;
}

/** Constant-time key check: both sides hashed first so lengths never differ. */
export function keyChecker(expected: string): (given: unknown) => boolean {
  const expectedDigest = createHash('sha256').update(expected).digest();
  return (given) =>
    typeof given === 'string' &&
    timingSafeEqual(createHash('sha256').update(given).digest(), expectedDigest);
}

export function requestPath(req: IncomingMessage): { pathname: string; query: URLSearchParams } {
  const url = new URL(req.url ?? '/', 'http://bench.invalid');
  return { pathname: url.pathname, query: url.searchParams };
}

/**
 * Handles `POST /broadcast` for a target; anything else is answered 404.
 * `broadcast` receives the body as a string (sent as a text frame).
 */
export function broadcastHandler(broadcast: (message: string) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST' || requestPath(req).pathname !== BROADCAST_PATH) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BROADCAST_BYTES) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      broadcast(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204).end();
    });
  };
}

/**
 * SIGUSR2 runs a full garbage collection (targets start with --expose-gc): the idle phase reads
 * memory both as it is and after one, so garbage left by the connections' set-up is told apart
 * from what each connection keeps.
 */
export function collectGarbageOnSignal(): void {
  process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.());
}

/** Listens, announces the port on stdout, and wires the ways the target is stopped. */
export function listenAndAnnounce(server: Server, close: () => void): void {
  collectGarbageOnSignal();
  const stop = () => {
    close();
    server.close();
    // Open sockets would keep the loop alive; the harness wants the process gone now.
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.on('end', stop).on('error', stop).resume();
  server.listen({ host: BIND_HOST, port: 0, backlog: LISTEN_BACKLOG }, () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('unexpected server address');
    process.stdout.write(`${JSON.stringify({ port: address.port, pid: process.pid })}\n`);
  });
}
