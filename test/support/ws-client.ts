import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';

export interface Refusal {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A message or close that arrived on a test socket; tests wait for these with timeouts. */
export class TestSocket {
  readonly messages: Record<string, unknown>[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => this.wake());
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when `predicate` holds, re-checked on every message and close; rejects after `timeoutMs`. */
  async until<T>(predicate: () => T | undefined | false | null, what: string, timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.messages).slice(0, 500)} closed=${JSON.stringify(this.closed)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  next(type: string, timeoutMs?: number, from = 0): Promise<Record<string, unknown>> {
    return this.until(() => this.messages.slice(from).find((m) => m.type === type), `a "${type}" message`, timeoutMs);
  }

  waitClose(timeoutMs?: number): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed, 'the socket to close', timeoutMs);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  close(): void {
    this.ws.close();
  }
}

export interface ConnectOptions {
  headers?: Record<string, string>;
  protocols?: string[];
}

/**
 * Opens a real `ws` client. Resolves with the open socket, or with the refusal (status, headers,
 * body) when the server answered the upgrade with an HTTP error and never opened a socket.
 */
export function connect(url: string, options: ConnectOptions = {}): Promise<TestSocket | Refusal> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
    const socket = new TestSocket(ws);
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    ws.once('error', (err) => reject(err));
  });
}

export async function connectOpen(url: string, options?: ConnectOptions): Promise<TestSocket> {
  const result = await connect(url, options);
  if (!(result instanceof TestSocket)) throw new Error(`expected the socket to open, got HTTP ${result.status} ${result.body}`);
  return result;
}

export async function connectRefused(url: string, options?: ConnectOptions): Promise<Refusal> {
  const result = await connect(url, options);
  if (result instanceof TestSocket) {
    result.close();
    throw new Error('expected the upgrade to be refused, but the socket opened');
  }
  return result;
}
