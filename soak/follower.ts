import WebSocket from 'ws';

/** One event as a follower received it. */
export interface Received {
  seq: number;
  type: string;
  data: any;
}

export interface FollowerStats {
  name: string;
  stream: string | null;
  /** Seq of the hello of the first connection: every event after it must arrive exactly once. */
  firstSeq: number | null;
  lastSeq: number;
  events: number;
  reconnects: number;
  duplicates: number;
  gaps: number;
  maxGap: number;
  resets: number;
  /** Close codes the server chose (1000 when a payment is final; anything else is reconnected). */
  serverCloses: Record<string, number>;
  connectFailures: number;
  done: boolean;
}

/** Where the next connection goes: a URL on the process chosen, with `since` when resuming. */
export type UrlFor = (since: number | undefined) => Promise<string>;

const CONNECT_TIMEOUT_MS = 10_000;
const RETRY_MS = 250;

/**
 * A client that follows one stream across reconnects, as the staff dashboard does: it resumes
 * with `since=<last seq>` on another process and checks, as events arrive, that every seq after
 * its first hello comes exactly once and in order. A close 1000 from the server (payment final)
 * ends it; any other close is reconnected.
 */
export class Follower {
  readonly received = new Map<number, Received>();
  readonly stats: FollowerStats;
  private ws: WebSocket | null = null;
  private stopping = false;
  private connecting: Promise<void> | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    name: string,
    private readonly urlFor: UrlFor,
    private readonly onViolation: (kind: string, detail: string) => void,
  ) {
    this.stats = { name, stream: null, firstSeq: null, lastSeq: 0, events: 0, reconnects: 0, duplicates: 0, gaps: 0, maxGap: 0, resets: 0, serverCloses: {}, connectFailures: 0, done: false };
  }

  start(): Promise<void> {
    return this.connect();
  }

  /** Drops the connection (cleanly or not) and resumes on the next process, as a flaky phone does. */
  async bounce(abrupt: boolean): Promise<void> {
    if (this.stopping || this.stats.done || this.connecting) return;
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    if (abrupt) ws.terminate();
    else ws.close(1000);
    this.stats.reconnects++;
    await this.connect();
  }

  /** Resolves when the follower has seen `seq` (or ended); false after `timeoutMs`. */
  async caughtUp(seq: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.stats.lastSeq < seq && !this.stats.done) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
    return true;
  }

  stop(): void {
    this.stopping = true;
    this.ws?.close(1000);
    this.ws = null;
  }

  private connect(): Promise<void> {
    this.connecting ??= this.openWithRetry().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async openWithRetry(): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        const since = this.stats.firstSeq === null ? undefined : this.stats.lastSeq;
        await this.open(await this.urlFor(since));
        return;
      } catch (err) {
        this.stats.connectFailures++;
        if (attempt >= 40) {
          this.onViolation('follower could not reconnect', `${this.stats.name}: could not reconnect after ${attempt + 1} attempts (${String(err)})`);
          this.stats.done = true;
          return;
        }
        await new Promise((r) => setTimeout(r, RETRY_MS * Math.min(attempt + 1, 8)));
      }
    }
  }

  /**
   * Opens the next connection and makes it the current one as soon as it opens (its hello may
   * arrive in the same read as the 101). Frames still in flight on a connection we dropped are
   * ignored, as a client that has moved on does: the resume covers everything after its `since`.
   */
  private open(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const timer = setTimeout(() => (ws.terminate(), reject(new Error('connect timeout'))), CONNECT_TIMEOUT_MS);
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`upgrade refused with ${res.statusCode}`));
      });
      ws.once('error', (err) => (clearTimeout(timer), reject(err)));
      ws.once('open', () => {
        clearTimeout(timer);
        if (this.stopping) ws.close(1000);
        else this.ws = ws;
        resolve();
      });
      ws.on('message', (raw) => ws === this.ws && this.onMessage(JSON.parse(raw.toString()) as Record<string, any>));
      ws.on('close', (code) => void this.onClose(ws, code));
    });
  }

  private onMessage(m: Record<string, any>): void {
    if (m.type === 'hello') {
      if (this.stats.stream !== null && m.stream !== this.stats.stream) this.onViolation('follower switched stream', `${this.stats.name}: hello for ${m.stream} after following ${this.stats.stream}`);
      this.stats.stream = m.stream;
      if (this.stats.firstSeq === null) {
        this.stats.firstSeq = m.seq;
        this.stats.lastSeq = m.seq;
      }
      return;
    }
    if (m.type === 'snapshot') {
      if (m.data?.reset || m.reset) {
        // A resume inside the retained history must replay it; a reset means events were skipped.
        this.stats.resets++;
        this.onViolation('resume answered with a reset', `${this.stats.name}: resume from ${this.stats.lastSeq} answered with a reset snapshot`);
        this.stats.lastSeq = m.seq;
      }
      return;
    }
    if (typeof m.seq !== 'number' || typeof m.stream !== 'string') return; // pong, ack, error
    this.stats.events++;
    if (m.seq <= this.stats.lastSeq) {
      this.stats.duplicates++;
      this.onViolation('event delivered twice to a follower', `${this.stats.name}: ${m.stream} seq ${m.seq} again (last ${this.stats.lastSeq}, ${m.type})`);
      return;
    }
    if (m.seq > this.stats.lastSeq + 1) {
      const gap = m.seq - this.stats.lastSeq - 1;
      this.stats.gaps++;
      this.stats.maxGap = Math.max(this.stats.maxGap, gap);
      this.onViolation('gap in a follower stream', `${this.stats.name}: ${m.stream} jumped from ${this.stats.lastSeq} to ${m.seq} (${gap} missing)`);
    }
    this.stats.lastSeq = m.seq;
    this.received.set(m.seq, { seq: m.seq, type: m.type, data: m.data });
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async onClose(ws: WebSocket, code: number): Promise<void> {
    if (ws !== this.ws) return; // one we dropped on purpose
    this.ws = null;
    if (this.stopping) return;
    this.stats.serverCloses[code] = (this.stats.serverCloses[code] ?? 0) + 1;
    if (code === 1000) {
      this.stats.done = true;
      for (const w of this.waiters.splice(0)) w();
      return;
    }
    this.stats.reconnects++;
    await this.connect();
  }
}
