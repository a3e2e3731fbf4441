import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyaddr from 'proxy-addr';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TrustFn } from '../http/trust-proxy.js';
import type { Limits } from '../config/limits.js';
import type { EventBus } from '../bus/event-bus.js';
import type { KeyStore } from '../keys/key-store.js';
import type { Logger } from '../observability/logger.js';
import { redactUrl } from '../observability/logger.js';
import { parseRequestTarget } from '../http/request-target.js';
import type { Metrics } from '../observability/metrics.js';
import { Client } from './client.js';
import { DISCONNECTS, type Disconnect } from './close-codes.js';
import { GapFiller } from './gap-filler.js';
import { Hub } from './hub.js';
import { MessageRouter, type MessageHandlers } from './messages.js';
import { encodeEvent, type StreamSource } from './stream-source.js';
import { authenticateUpgrade, authorizationHeaders, SUBPROTOCOL, type Accepted, type AuthDeps, type Refused } from './upgrade/authenticate.js';
import { startHeartbeat, WsConnection } from './ws-transport.js';
import { routeSocketPath, type SocketName } from './sockets.js';
import { SnapshotCache } from './snapshot-cache.js';
import { capChecksOf, capRefusal, type CapStore } from './connection-caps.js';
import { SessionRevocations } from './revocation.js';
import { scopeToString } from '../tickets/ticket.service.js';

/** Told when a client has started following its stream and when it has gone (presence). */
export interface ConnectionHooks {
  opened(client: Client): void;
  closed(client: Client): void;
}

export interface GatewayDeps {
  auth: AuthDeps;
  keys: KeyStore;
  limits: Limits;
  trustProxy: TrustFn;
  logger: Logger;
  metrics: Metrics;
  streams: StreamSource;
  bus: EventBus;
  handlers: MessageHandlers;
  hooks?: ConnectionHooks;
  /** Where open sockets are counted against their caps (this process, or every one through Redis). */
  caps: CapStore;
}

/**
 * The WebSocket side of the one HTTP server: routes each upgrade, authenticates it before any
 * handshake, runs the handshake, then wires the client to its stream.
 */
export class Gateway {
  readonly hub = new Hub();
  private readonly wss: WebSocketServer;
  private readonly router: MessageRouter;
  private readonly transports = new Map<Client, WsConnection>();
  private readonly trust: TrustFn;
  private readonly stopHeartbeat: () => void;
  private readonly gaps: GapFiller;
  private readonly streams: SnapshotCache;
  /** Per-frame sent counters, one per socket (see Metrics.sentCounter). */
  private readonly sentCounters: Record<SocketName, () => void>;
  private readonly unsubscribe: () => void;
  private readonly offResubscribed: () => void;
  private readonly onKeysChanged = () => this.closeRetiredKeyConnections();
  /** The sockets of ended sessions (logout, password change, account deleted): see revocation.ts. */
  private readonly revocations: SessionRevocations;

  constructor(private readonly deps: GatewayDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: deps.limits.maxFrameBytes,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.trust = deps.trustProxy;
    this.router = new MessageRouter(deps.handlers, deps.limits, (err, client) =>
      deps.logger.error({ err, connectionId: client.id }, 'socket message handler failed'),
    );
    this.stopHeartbeat = startHeartbeat(() => this.transports.values(), deps.limits.heartbeatIntervalMs, deps.limits.missedPingsBeforeDrop);
    this.streams = new SnapshotCache(deps.streams);
    this.sentCounters = {
      'live-orders': deps.metrics.sentCounter('live-orders'),
      payment: deps.metrics.sentCounter('payment'),
      chat: deps.metrics.sentCounter('chat'),
    };
    this.gaps = new GapFiller(this.hub, this.streams, deps.limits.gapFillDelayMs, (err) =>
      deps.logger.error({ err }, 'filling a gap from stream history failed'),
    );
    this.unsubscribe = deps.bus.subscribe((m) => {
      this.streams.eventSeen(m.stream);
      this.hub.publish(m.stream, m.seq, Buffer.from(m.payload), m.terminal === true);
    });
    this.offResubscribed = deps.bus.onResubscribed(() => {
      this.streams.clear();
      this.gaps.catchUp();
      // Revocations published while the subscription was down never arrive: re-read them.
      this.revocations.recheck();
    });
    this.revocations = new SessionRevocations({
      clients: () => this.hub.clients(),
      bus: deps.bus,
      liveSessions: deps.auth.liveSessions,
      keepMs: deps.limits.ticketTtlSeconds * 1000,
      recheckMs: deps.limits.sessionRecheckMs,
      onError: (err) => deps.logger.error({ err }, 'could not re-check the sessions of open sockets'),
    });
    deps.keys.on('change', this.onKeysChanged);
  }

  clientAddress(req: IncomingMessage): string {
    return proxyaddr(req, this.trust);
  }

  /** The `upgrade` listener of the HTTP server. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.upgrade(req, socket, head).catch((err: unknown) => {
      this.deps.logger.error({ err, url: redactUrl(req.url) }, 'upgrade authentication failed');
      writeRefusal(socket, 503, { error: { code: 'unavailable', message: 'Try again shortly.' } });
    });
  }

  /** Authentication, then the caps, then the handshake: nothing opens for a refused request. */
  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const clientAddress = this.clientAddress(req);
    const result = await authenticateUpgrade({ url: req.url ?? '/', headers: req.headers, authorization: authorizationHeaders(req.rawHeaders), clientAddress }, this.deps.auth);
    if (socket.destroyed) return;
    if (!result.ok) return this.refuse(req, socket, clientAddress, result);
    const admission = await this.deps.caps.admit(capChecksOf(result, clientAddress, this.deps.limits));
    if (!admission.ok) return this.refuse(req, socket, clientAddress, capRefusal(admission.reason));
    if (socket.destroyed) return admission.release();
    // The slot is the TCP connection's: freed however it ends, handshake failures included.
    socket.once('close', admission.release);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(req, ws, clientAddress, result));
  }

  private refuse(req: IncomingMessage, socket: Duplex, clientAddress: string, refusal: Refused): void {
    const socketName = socketLabel(req.url);
    this.deps.metrics.countUpgrade(socketName, 'refused', refusal.reason);
    this.deps.logger.info(
      { event: 'ws_upgrade', result: 'refused', socket: socketName, status: refusal.status, reason: refusal.reason, clientAddress, url: redactUrl(req.url) },
      'websocket upgrade refused',
    );
    writeRefusal(socket, refusal.status, { error: { code: refusal.code, message: refusal.message } }, refusal.headers);
  }

  private accept(req: IncomingMessage, ws: WebSocket, clientAddress: string, auth: Accepted): void {
    const conn = new WsConnection(randomUUID(), ws);
    const client = new Client(conn, auth.socket, auth.stream, auth.principal, this.deps.limits.maxBufferedBytes, this.sentCounters[auth.socket], (c) =>
      this.gaps.request(c),
    );
    this.transports.set(client, conn);
    this.hub.add(client);
    // Its session may have ended between the upgrade's check and now; the message has gone by.
    this.revocations.closeIfRevoked(client);
    const open = this.deps.metrics.connections.labels(auth.socket);
    open.inc();
    this.deps.metrics.countUpgrade(auth.socket, 'accepted', 'ok');
    this.deps.logger.info(
      { event: 'ws_upgrade', result: 'accepted', socket: auth.socket, stream: auth.stream, principal: describePrincipal(auth), clientAddress, connectionId: conn.id, url: redactUrl(req.url), protocol: ws.protocol || undefined },
      'websocket upgrade accepted',
    );

    ws.on('message', (data, isBinary) => {
      this.deps.metrics.messagesIn.inc({ socket: auth.socket });
      const text = isBinary ? '\u0000' : data.toString();
      this.router.handle(client, text).catch((err: unknown) => this.deps.logger.error({ err, connectionId: conn.id }, 'socket message failed'));
    });
    ws.on('error', (err) => this.deps.logger.debug({ err, connectionId: conn.id }, 'socket error'));
    ws.on('close', (code) => {
      client.state = 'closed';
      this.transports.delete(client);
      this.hub.remove(client);
      this.router.forget(client);
      open.dec();
      this.deps.metrics.closes.inc({ code: String(code) });
      this.deps.hooks?.closed(client);
    });

    this.startStream(client, auth.since).catch((err: unknown) => {
      this.deps.logger.error({ err, connectionId: conn.id, stream: auth.stream }, 'could not start stream');
      client.disconnect(DISCONNECTS.internal);
    });
  }

  /** hello, then a snapshot or the replay after `since`, then live events without a gap or a repeat. */
  private async startStream(client: Client, since: number | undefined): Promise<void> {
    const opening = await this.streams.open(client.stream, since);
    if (client.state === 'closed') return;
    client.conn.batch(() => {
      client.sendJson({ type: 'hello', stream: client.stream, seq: opening.head, connectionId: client.id });
      if (opening.kind === 'snapshot') {
        const snapshot: Record<string, unknown> = { type: 'snapshot', stream: client.stream, seq: opening.head, data: opening.snapshot };
        if (opening.reset) snapshot.reset = true;
        client.sendJson(snapshot);
        client.endIfTerminal(opening.terminal);
      } else {
        for (const event of opening.events) client.sendReplayed(event.seq, encodeEvent(event), event.terminal === true);
      }
      client.goLive(opening.head);
    });
    this.deps.hooks?.opened(client);
  }

  /** Closes the connections whose key is no longer among their socket's keys (4001). */
  closeRetiredKeyConnections(): void {
    for (const client of this.hub.clients()) {
      const p = client.principal;
      if (p.kind === 'key' && !this.deps.keys.isValid(p.key)) client.disconnect(DISCONNECTS.credentialRetired);
    }
  }

  /** Closes this process's sockets of these ended sessions (4003). */
  closeSessions(sessionIds: string[]): void {
    this.revocations.close(sessionIds);
  }

  /** Asks the database which sessions of this process's sockets have ended, and closes theirs. */
  recheckSessions(): void {
    this.revocations.recheck();
  }

  disconnectAll(d: Disconnect): void {
    for (const client of [...this.hub.clients()]) client.disconnect(d);
  }

  /** Closes every client with 1001 and waits (up to `graceMs`) for them to go. */
  async shutdown(graceMs: number): Promise<void> {
    this.deps.keys.off('change', this.onKeysChanged);
    this.unsubscribe();
    this.offResubscribed();
    this.revocations.stop();
    this.stopHeartbeat();
    this.gaps.stop();
    this.disconnectAll(DISCONNECTS.shutdown);
    const deadline = Date.now() + graceMs;
    while (this.transports.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const conn of this.transports.values()) conn.ws.terminate();
    this.wss.close();
  }
}


function socketLabel(url: string | undefined): string {
  const target = parseRequestTarget(url ?? '/');
  return (target && routeSocketPath(target.pathname)?.socket) ?? 'unknown';
}

function describePrincipal(auth: Accepted): string {
  const p = auth.principal;
  if (p.kind === 'key') return `key:${p.socket}#${p.key.keyId}`;
  // The account (never the session id) says whose socket it was when a revocation closes it.
  return `ticket:${p.socket}:${scopeToString(p.scope)}${p.holder ? `:account:${p.holder.accountId}` : ''}`;
}

function writeRefusal(socket: Duplex, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${json}`);
}
