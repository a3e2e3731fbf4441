import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphRequest {
  path: string;
  authorization: string | undefined;
  body: any;
  /** The wamid answered, when accepted. */
  waId?: string;
}

type Script = { kind: 'fail'; status: number } | { kind: 'hang' };

/**
 * A stand-in for the WhatsApp Cloud API on 127.0.0.1: `POST /<version>/<phoneNumberId>/messages`
 * with `Authorization: Bearer <token>`, answered like the real API. Accepted requests are
 * recorded; `failNext`/`failAlways` make it answer with Graph error bodies.
 */
export class FakeGraphApi {
  readonly accepted: GraphRequest[] = [];
  /** Every request that reached a valid path with a valid token, whatever it was answered. */
  readonly attempts: GraphRequest[] = [];
  private script: Script[] = [];
  private alwaysFail: number | null = null;
  private ids = 0;
  private waiters: (() => void)[] = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly token: string, private readonly phoneNumberId: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v21.0`;
    return this;
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  failNext(times: number, status = 500): void {
    for (let i = 0; i < times; i++) this.script.push({ kind: 'fail', status });
  }

  /** The next `times` requests get no answer at all (a hanging API). */
  hangNext(times: number): void {
    for (let i = 0; i < times; i++) this.script.push({ kind: 'hang' });
  }

  failAlways(status: number | null = 503): void {
    this.alwaysFail = status;
  }

  /** Resolves when `predicate` holds over the recorded requests; rejects after `timeoutMs`. */
  async until<T>(predicate: () => T | undefined | false | null, what: string, timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`fake Graph API: timed out waiting for ${what}; got ${JSON.stringify(this.attempts.map((a) => a.body)).slice(0, 600)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    };
    const error = (status: number, message: string, code: number) =>
      reply(status, { error: { message, type: 'OAuthException', code, fbtrace_id: 'AbCdEf' } });
    if (req.method !== 'POST' || req.url !== `/v21.0/${this.phoneNumberId}/messages`) return error(404, 'Unknown path components', 2500);
    if (req.headers.authorization !== `Bearer ${this.token}`) return error(401, 'Invalid OAuth access token - Cannot parse access token', 190);
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return error(400, 'Invalid JSON', 100);
    }
    const request: GraphRequest = { path: req.url, authorization: req.headers.authorization, body };
    this.attempts.push(request);
    const step = this.script.shift();
    if (step?.kind === 'hang') return;
    const failStatus = step?.kind === 'fail' ? step.status : this.alwaysFail;
    if (failStatus !== null) return error(failStatus, 'An unknown error has occurred.', 1);
    if (body?.messaging_product !== 'whatsapp' || typeof body?.to !== 'string') return error(400, '(#100) Invalid parameter', 100);
    const id = `wamid.HBgM${Date.now().toString(36)}${++this.ids}`;
    request.waId = id;
    this.accepted.push(request);
    reply(200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id }] });
  }

}
