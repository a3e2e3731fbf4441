import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { ServerMessage } from './types.js';

/** What a person sees of a socket. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'closed';

export const SUBPROTOCOL = 'scan2food.v1';

/** How long a connection must stay up before a drop counts as a first failure again. */
const STABLE_MS = 10_000;

export interface StreamOptions {
  /** Socket path, e.g. `/ws/all-seat-datasocket/`. */
  path: string;
  /** A fresh single-use ticket for each connection (POST /api/ws/tickets). */
  getTicket(): Promise<string>;
  onMessage(message: ServerMessage): void;
  onState(state: ConnectionState, detail: { retryInMs?: number; error?: string }): void;
  /** Whether a normal close (1000) means "done" (the payment socket at a final state). */
  endOnNormalClose?: boolean;
  backoff?: BackoffOptions;
  /** Ping every this many ms; a connection silent for twice as long is dropped and resumed. */
  heartbeatMs?: number;
  /** Where the socket is (defaults to the page's own host). */
  origin?: { protocol: string; host: string };
  /** Stops retrying when the ticket is refused for good (signed out): status 401/403/404. */
  onFatal?(status: number): void;
}

/** Thrown by `getTicket` implementations for a refusal that retrying cannot fix. */
export class FatalTicketError extends Error {
  constructor(readonly status: number) {
    super(`ticket refused (${status})`);
  }
}

/**
 * One followed stream over a WebSocket: a fresh ticket per connection, offered as a
 * subprotocol (never in the URL); resume with `since` (the last seq seen) after any drop;
 * exponential backoff with jitter between attempts; a heartbeat to notice a dead link.
 * It runs in a Web Worker (staff dashboards) or on the page (payment status).
 */
export class StreamConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private lastSeq: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  /** When the current connection said hello; a connection that stayed up resets the backoff. */
  private liveSince: number | null = null;
  private online = true;
  private stopped = false;
  private state: ConnectionState | null = null;

  constructor(private readonly options: StreamOptions) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** The last seq received; a resume asks for everything after it. */
  get seq(): number | null {
    return this.lastSeq;
  }

  /** The browser's network went away or came back: drop at once, or reconnect at once. */
  setOnline(online: boolean): void {
    if (this.online === online) return;
    this.online = online;
    if (this.stopped) return;
    if (!online) {
      this.dropSocket();
      this.clearTimer();
      this.setState('offline', {});
    } else {
      this.attempt = 0;
      void this.connect();
    }
  }

  send(message: unknown): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.dropSocket();
    this.setState('closed', {});
  }

  private async connect(): Promise<void> {
    this.clearTimer();
    if (this.stopped) return;
    if (!this.online) return this.setState('offline', {});
    this.setState(this.lastSeq === null && this.attempt === 0 ? 'connecting' : 'reconnecting', {});
    let ticket: string;
    try {
      ticket = await this.options.getTicket();
    } catch (err) {
      if (err instanceof FatalTicketError) {
        this.stopped = true;
        this.setState('closed', { error: err.message });
        this.options.onFatal?.(err.status);
        return;
      }
      return this.retry();
    }
    if (this.stopped || !this.online) return;
    const origin = this.options.origin ?? location;
    const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:';
    const since = this.lastSeq === null ? '' : `?since=${this.lastSeq}`;
    const ws = new WebSocket(`${scheme}//${origin.host}${this.options.path}${since}`, [SUBPROTOCOL, `ticket.${ticket}`]);
    this.ws = ws;
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      let message: ServerMessage;
      try {
        message = JSON.parse(String(ev.data)) as ServerMessage;
      } catch {
        return;
      }
      this.receive(message);
    };
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      this.startHeartbeat();
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopHeartbeat();
      // Only a connection that stayed up a while starts the backoff over: one accepted and
      // then closed at once, again and again, still backs off.
      if (this.liveSince !== null && Date.now() - this.liveSince >= STABLE_MS) this.attempt = 0;
      this.liveSince = null;
      if (this.stopped) return;
      if (ev.code === 1000 && this.options.endOnNormalClose) {
        this.stopped = true;
        return this.setState('closed', {});
      }
      this.retry();
    };
  }

  private receive(message: ServerMessage): void {
    if (message.type === 'hello') {
      // After hello come the snapshot or the replay after `since`, then live events, in order.
      this.liveSince = Date.now();
      if (this.lastSeq === null) this.lastSeq = typeof message.seq === 'number' ? message.seq : null;
      this.setState('live', {});
    } else if (message.type === 'snapshot' && typeof message.seq === 'number') {
      this.lastSeq = message.seq;
    } else if (typeof message.seq === 'number' && typeof message.stream === 'string') {
      // An event: never apply one twice (seq only grows on a stream).
      if (this.lastSeq !== null && message.seq <= this.lastSeq) return;
      this.lastSeq = message.seq;
    }
    this.options.onMessage(message);
  }

  private retry(): void {
    if (this.stopped) return;
    if (!this.online) return this.setState('offline', {});
    const delay = backoffDelay(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF);
    this.setState('reconnecting', { retryInMs: delay });
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const every = this.options.heartbeatMs ?? 15_000;
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > every * 2) {
        // Silent too long: treat as dropped and resume.
        const ws = this.ws;
        this.ws = null;
        this.stopHeartbeat();
        ws?.close();
        this.retry();
        return;
      }
      this.send({ type: 'ping' });
    }, every);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private dropSocket(): void {
    const ws = this.ws;
    this.ws = null;
    this.stopHeartbeat();
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private setState(state: ConnectionState, detail: { retryInMs?: number; error?: string }): void {
    if (state === this.state && detail.retryInMs === undefined) return;
    this.state = state;
    this.options.onState(state, detail);
  }
}
