import { request as httpsRequest, Agent } from 'node:https';
import { connect as http2Connect } from 'node:http2';
import WebSocket from 'ws';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  text: string;
  body: any;
}

export interface CallOptions {
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  cookie?: string;
  bearer?: string;
  /** Our own source address on the loopback (127.0.0.x): what nginx sees as the client. */
  localAddress?: string;
}

/**
 * HTTPS to nginx as a browser or a gateway would, over HTTP/1.1 keep-alive. The certificate is
 * the self-signed one made for this run, so it is not verified (nothing else is reachable here).
 */
export class Edge {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: false });
  constructor(readonly port: number) {}

  get wsBase(): string {
    return `wss://127.0.0.1:${this.port}`;
  }

  call(method: string, path: string, o: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...o.headers };
    const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    if (o.cookie) headers.cookie = o.cookie;
    if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: this.port, method, path, headers, agent: o.localAddress ? undefined : this.agent, localAddress: o.localAddress, rejectUnauthorized: false, timeout: 15_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            const text = raw.toString();
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : null;
            } catch {
              // pages and assets: the text itself
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, text, body });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 15 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * A call that a real client repeats while a process restarts: a refused or reset connection, or
   * a 502/503 from nginx. Only for requests that are safe to repeat (idempotency key, webhook event
   * id, reads, tickets).
   */
  async retrying(method: string, path: string, o: CallOptions = {}, tries = 8): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      try {
        const a = await this.call(method, path, o);
        if ((a.status !== 502 && a.status !== 503) || attempt >= tries) return a;
      } catch (err) {
        if (attempt >= tries) throw err;
      }
      await new Promise((r) => setTimeout(r, 100 * attempt + Math.random() * 200));
    }
  }

  /** GET over HTTP/2 (what browsers negotiate for pages): the ALPN protocol and the answer. */
  http2Get(path: string, headers: Record<string, string> = {}): Promise<{ alpn: string | false | undefined; status: number; headers: Record<string, unknown>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const session = http2Connect(`https://127.0.0.1:${this.port}`, { rejectUnauthorized: false });
      session.on('error', reject);
      const req = session.request({ ':path': path, ...headers });
      const chunks: Buffer[] = [];
      let head: Record<string, unknown> = {};
      req.on('response', (h) => (head = h as Record<string, unknown>));
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const alpn = session.alpnProtocol;
        session.close();
        resolve({ alpn, status: Number(head[':status']), headers: head, body: Buffer.concat(chunks) });
      });
      req.on('error', reject);
      req.end();
    });
  }

  async login(username: string, password: string): Promise<string> {
    const a = await this.retrying('POST', '/api/auth/login', { body: { username, password } });
    if (a.status !== 200) throw new Error(`login of ${username} failed: ${a.status} ${a.text}`);
    const cookie = a.headers['set-cookie'];
    return String(Array.isArray(cookie) ? cookie[0] : cookie).split(';')[0]!;
  }

  async ticket(socket: 'live-orders' | 'payment' | 'chat', auth: { cookie?: string; bearer?: string; orderId?: number }): Promise<string> {
    const body = auth.orderId === undefined ? { socket } : { socket, orderId: auth.orderId };
    const a = await this.retrying('POST', '/api/ws/tickets', { body, cookie: auth.cookie, bearer: auth.bearer });
    if (a.status !== 201) throw new Error(`ticket for ${socket} refused: ${a.status} ${a.text}`);
    return a.body.ticket as string;
  }
}

export interface Opened {
  ws: WebSocket;
  hello: { stream: string; seq: number; connectionId: string };
  messages: any[];
  /** Resolves with the first message that matches, or rejects after `ms`. */
  next(match: (m: any) => boolean, ms?: number): Promise<any>;
}

/** Opens a socket and waits for its hello; refuses (rejects) on anything but a 101. */
export function openSocket(url: string, o: { localAddress?: string; headers?: Record<string, string>; base?: string } = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { rejectUnauthorized: false, localAddress: o.localAddress, headers: o.headers });
    const messages: any[] = [];
    const waiters: { match: (m: any) => boolean; resolve: (m: any) => void }[] = [];
    const timer = setTimeout(() => (ws.terminate(), reject(new Error(`no hello from ${redact(url)} in 10 s`))), 10_000);
    ws.once('unexpected-response', (_req, res) => (clearTimeout(timer), ws.terminate(), reject(new Error(`${redact(url)}: upgrade refused with ${res.statusCode}`))));
    ws.once('error', (err) => (clearTimeout(timer), reject(err)));
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      messages.push(m);
      for (const w of waiters.filter((x) => x.match(m))) (waiters.splice(waiters.indexOf(w), 1), w.resolve(m));
      if (m.type === 'hello') {
        clearTimeout(timer);
        resolve({
          ws,
          hello: m,
          messages,
          next: (match, ms = 10_000) => {
            const seen = messages.find(match);
            if (seen) return Promise.resolve(seen);
            return new Promise((ok, fail) => {
              const t = setTimeout(() => fail(new Error(`no matching message on ${redact(url)} in ${ms} ms`)), ms);
              waiters.push({ match, resolve: (x) => (clearTimeout(t), ok(x)) });
            });
          },
        });
      }
    });
  });
}

/** A URL as this script may print it: never a credential. */
export function redact(url: string): string {
  return url.replace(/([?&](?:key|ticket)=)[^&]*/g, '$1[redacted]');
}
