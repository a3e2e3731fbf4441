/** A small JSON client over the soak's server processes; every request names the process it goes to. */
export interface Reply {
  status: number;
  body: any;
}

export interface CallOptions {
  body?: unknown;
  /** Raw body (webhooks are signed over the exact bytes). */
  raw?: string;
  headers?: Record<string, string>;
  cookie?: string;
  bearer?: string;
  /** The guest's address as a TLS proxy would forward it (the servers trust 127.0.0.1 as a proxy). */
  from?: string;
}

/** Requests that never answered within this are counted as errors, not waited for forever. */
const REQUEST_TIMEOUT_MS = 15_000;

export class Http {
  private next = 0;
  constructor(readonly bases: string[]) {}

  /** The processes in turn, so load and reconnects spread over all of them. */
  pick(): number {
    this.next = (this.next + 1) % this.bases.length;
    return this.next;
  }

  /** Another process than `i` when there is one. */
  other(i: number): number {
    return (i + 1) % this.bases.length;
  }

  async call(i: number, method: string, path: string, o: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.body !== undefined || o.raw !== undefined) headers['content-type'] ??= 'application/json';
    if (o.cookie) headers.cookie = o.cookie;
    if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
    if (o.from) headers['x-forwarded-for'] = o.from;
    const res = await fetch(`${this.bases[i]}${path}`, {
      method,
      headers,
      body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (metrics, pages): the text itself
    }
    return { status: res.status, body };
  }

  async login(username: string, password: string): Promise<string> {
    const res = await fetch(`${this.bases[0]}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${await res.text()}`);
    return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  }
}
