import {
  afterClose,
  SINCE_PARAM,
  socketPath,
  SUBPROTOCOL,
  TICKET_PROTOCOL_PREFIX,
  type ClientMessage,
  type CloseAction,
  type ServerMessage,
  type SocketTarget,
} from '../../../src/protocol/index.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';

/** What a person sees of a socket. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'closed';

/**
 * Why a stream stopped for good: `done` (the server closed it normally: a payment at its final
 * state), `signed-out` (the session ended: sign in again), `forbidden` (the account may no longer
 * follow it: removed, moved, or the order is not theirs).
 */
export type EndReason = 'done' | 'signed-out' | 'forbidden';

/** How long a connection must stay up before a drop counts as a first failure again. */
const STABLE_MS = 10_000;

export interface StreamOptions<M extends ServerMessage = ServerMessage> {
  /** Which socket (and for the payment socket, which order). */
  target: SocketTarget;
  /** A fresh single-use ticket for each connection (POST /api/ws/tickets). */
  getTicket(): Promise<string>;
  onMessage(message: M): void;
  onState(state: ConnectionState, detail: { retryInMs?: number; error?: string }): void;
  /** The stream stopped and will not reconnect by itself. */
  onEnd?(reason: EndReason): void;
  backoff?: BackoffOptions;
  /** Ping every this many ms; a connection silent for twice as long is dropped and resumed. */
  heartbeatMs?: number;
  /** Where the socket is (defaults to the page's own host). */
  origin?: { protocol: string; host: string };
}

/** Thrown by `getTicket` implementations for a refusal that retrying cannot fix (401, 403, 404). */
export class FatalTicketError extends Error {
  constructor(readonly status: number) {
    super(`ticket refused (${status})`);
  }
}

const END_TEXT: Record<EndReason, string> = {
  done: '',
  'signed-out': 'Your session has ended: sign in again.',
  forbidden: 'This account can no longer follow this.',
};

/** An event (not hello, snapshot or a reply): it carries its stream's seq. */
function isEvent(message: ServerMessage): message is Extract<ServerMessage, { at: string }> {
  return 'at' in message && typeof message.seq === 'number';
}

/**
 * One followed stream over a WebSocket: a fresh ticket per connection, offered as a
 * subprotocol (never in the URL); resume with `since` (the last seq seen) after any drop;
 * after a close, what the contract says for its code (src/protocol/close-codes.ts): stop when
 * done or signed out, a new ticket after 4001/4003, resume at once after 4008, exponential
 * backoff with jitter otherwise; a heartbeat to notice a dead link.
 * It runs in a Web Worker (staff dashboards) or on the page (payment status).
 */
export class StreamConnection<M extends ServerMessage = ServerMessage> {
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

  constructor(private readonly options: StreamOptions<M>) {}

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

  send(message: ClientMessage): boolean {
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
      if (err instanceof FatalTicketError) return this.end(err.status === 401 ? 'signed-out' : 'forbidden');
      return this.retry();
    }
    if (this.stopped || !this.online) return;
    const origin = this.options.origin ?? location;
    const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:';
    const since = this.lastSeq === null ? '' : `?${SINCE_PARAM}=${this.lastSeq}`;
    const url = `${scheme}//${origin.host}${socketPath(this.options.target)}${since}`;
    const ws = new WebSocket(url, [SUBPROTOCOL, `${TICKET_PROTOCOL_PREFIX}${ticket}`]);
    this.ws = ws;
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      let message: M;
      try {
        message = JSON.parse(String(ev.data)) as M;
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
      this.closed(afterClose(ev.code, ev.reason));
    };
  }

  /** What the contract says to do after a close (every reconnect fetches a fresh ticket). */
  private closed(action: CloseAction): void {
    switch (action) {
      case 'stop':
        return this.end('done');
      case 'sign-in':
        return this.end('signed-out');
      case 'resume':
        // Dropped for reading too slowly: the server is fine, so come back at once, unless
        // this keeps happening (the attempt count only resets after a stable connection).
        if (this.attempt === 0) {
          this.attempt++;
          return void this.connect();
        }
        return this.retry();
      case 'new-ticket':
      case 'backoff':
        return this.retry();
    }
  }

  private end(reason: EndReason): void {
    this.stopped = true;
    this.clearTimer();
    this.setState('closed', END_TEXT[reason] ? { error: END_TEXT[reason] } : {});
    this.options.onEnd?.(reason);
  }

  private receive(message: M): void {
    if (message.type === 'hello') {
      // After hello come the snapshot or the replay after `since`, then live events, in order.
      this.liveSince = Date.now();
      if (this.lastSeq === null) this.lastSeq = message.seq;
      this.setState('live', {});
    } else if (message.type === 'snapshot') {
      this.lastSeq = message.seq;
    } else if (isEvent(message)) {
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
