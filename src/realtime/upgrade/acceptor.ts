import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyaddr from 'proxy-addr';
import { WebSocketServer, type RawData, type Server, type WebSocket } from 'ws';
import type { Limits } from '../../config/limits.js';
import { parseRequestTarget } from '../../http/request-target.js';
import type { TrustFn } from '../../http/trust-proxy.js';
import type { Logger } from '../../observability/logger.js';
import { redactUrl } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { scopeToString } from '../../tickets/ticket.service.js';
import type { Client } from '../client.js';
import type { Connection } from '../connection.js';
import { capChecksOf, capRefusal, type CapStore } from '../connection-caps.js';
import { routeSocketPath } from '../sockets.js';
import { startHeartbeat, WsConnection } from '../ws-transport.js';
import { authenticateUpgrade, authorizationHeaders, SUBPROTOCOL, type Accepted, type AuthDeps, type Refused } from './authenticate.js';
import { handshakeRefusal } from './handshake.js';

/** Where an accepted connection goes: the stream node (stream-node.ts). */
export interface ConnectionSink {
  join(conn: Connection, auth: Accepted): Client;
  receive(client: Client, text: string): void;
  leave(client: Client): void;
}

export interface UpgradeAcceptorDeps {
  auth: AuthDeps;
  limits: Limits;
  trustProxy: TrustFn;
  logger: Logger;
  metrics: Metrics;
  /** Where open sockets are counted against their caps (this process, or every one through Redis). */
  caps: CapStore;
  node: ConnectionSink;
}

/**
 * The `upgrade` listener of the one HTTP server, as ws's handshake is kept apart from the
 * connection: handshake check, then authentication, then the caps, then the handshake itself;
 * nothing opens for a refused request, and the socket of a refusal is destroyed once written.
 * An accepted connection is handed to the stream node; this side keeps only the transport
 * (frames in, heartbeat, close).
 */
export class UpgradeAcceptor {
  private readonly wss: Server<typeof ClientSocket>;
  private readonly transports = new Set<ClientSocket>();
  private readonly stopHeartbeat: () => void;
  /**
   * The listeners of every open socket, made once: each finds its client through the socket
   * (`owner`), so an idle connection holds no closure of its own.
   */
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onError: (this: WebSocket, err: Error) => void;
  private readonly onClose: (this: WebSocket, code: number) => void;

  constructor(private readonly deps: UpgradeAcceptorDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: deps.limits.maxFrameBytes,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
      WebSocket: ClientSocket,
    });
    this.stopHeartbeat = startHeartbeat(() => this.transports.values(), deps.limits.heartbeatIntervalMs, deps.limits.missedPingsBeforeDrop);
    const { metrics, logger, node } = deps;
    const transports = this.transports;
    this.onMessage = function (data, isBinary) {
      const client = (this as ClientSocket).owner!;
      metrics.messagesIn.inc({ socket: client.socket });
      node.receive(client, isBinary ? '\u0000' : data.toString());
    };
    this.onError = function (err) {
      logger.debug({ err, connectionId: (this as ClientSocket).id }, 'socket error');
    };
    this.onClose = function (code) {
      const client = (this as ClientSocket).owner!;
      transports.delete(this as ClientSocket);
      metrics.connections.dec({ socket: client.socket });
      metrics.closes.inc({ code: String(code) });
      node.leave(client);
    };
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A shared listener: a closure here would keep this request (headers and all) for as long
    // as the socket stays open.
    socket.on('error', destroySelf);
    this.upgrade(req, socket, head).catch((err: unknown) => {
      this.deps.logger.error({ err, url: redactUrl(req.url) }, 'upgrade authentication failed');
      writeRefusal(socket, 503, { error: { code: 'unavailable', message: 'Try again shortly.' } });
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const clientAddress = proxyaddr(req, this.deps.trustProxy);
    // SPEC §2 checks the path first (any other path is 404, however it asks); on a socket path a
    // malformed handshake is refused before any credential is counted or a ticket spent.
    const malformed = socketLabel(req.url) === 'unknown' ? null : handshakeRefusal(req.method, req.headers);
    if (malformed) return this.refuse(req, socket, clientAddress, malformed);
    const result = await authenticateUpgrade({ url: req.url ?? '/', headers: req.headers, authorization: authorizationHeaders(req.rawHeaders), clientAddress }, this.deps.auth);
    if (socket.destroyed) return;
    if (!result.ok) return this.refuse(req, socket, clientAddress, result);
    const checks = capChecksOf(result, clientAddress, this.deps.limits);
    const admission = await this.deps.caps.admit(checks);
    if (!admission.ok) return this.refuse(req, socket, clientAddress, capRefusal(admission.reason));
    if (socket.destroyed) return admission.release();
    // The slot is the TCP connection's: freed however it ends, handshake failures included
    // (`close` comes once; a release is idempotent anyway). A socket counted against no cap has
    // nothing to free.
    if (checks.length > 0) socket.on('close', admission.release);
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

  private accept(req: IncomingMessage, ws: ClientSocket, clientAddress: string, auth: Accepted): void {
    ws.opened();
    this.transports.add(ws);
    const client = this.deps.node.join(ws, auth);
    ws.owner = client;
    this.deps.metrics.connections.inc({ socket: auth.socket });
    this.deps.metrics.countUpgrade(auth.socket, 'accepted', 'ok');
    this.deps.logger.info(
      { event: 'ws_upgrade', result: 'accepted', socket: auth.socket, stream: auth.stream, principal: describePrincipal(auth), clientAddress, connectionId: ws.id, url: redactUrl(req.url), protocol: ws.protocol || undefined },
      'websocket upgrade accepted',
    );
    ws.on('message', this.onMessage);
    ws.on('error', this.onError);
    ws.on('close', this.onClose);
  }

  /**
   * Waits (up to `graceMs`) for the open sockets to finish closing (the node has told each one
   * why), then cuts the rest.
   */
  async close(graceMs: number): Promise<void> {
    this.stopHeartbeat();
    const deadline = Date.now() + graceMs;
    while (this.transports.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const conn of this.transports) conn.terminate();
    this.wss.close();
  }
}

/** The sockets this acceptor's WebSocketServer makes: each is the Connection of one client. */
class ClientSocket extends WsConnection<Client> {}

function destroySelf(this: Duplex): void {
  this.destroy();
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

/** Answers a refused upgrade and destroys the socket once the answer is out, as `ws` does (abortHandshake). */
function writeRefusal(socket: Duplex, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const json = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${json}`);
}
