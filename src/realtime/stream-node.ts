import type { EventBus } from '../bus/event-bus.js';
import type { Limits } from '../config/limits.js';
import type { KeyStore } from '../keys/key-store.js';
import type { Logger } from '../observability/logger.js';
import { Client, type SnapshotData } from './client.js';
import { DISCONNECTS, type Disconnect } from './close-codes.js';
import type { Connection } from './connection.js';
import { GapFiller } from './gap-filler.js';
import { Hub } from './hub.js';
import { MessageRouter, type MessageHandlers } from './messages.js';
import { SessionRevocations } from './revocation.js';
import { SnapshotCache } from './snapshot-cache.js';
import type { SocketName } from './sockets.js';
import { encodeEvent, type StreamSource } from './stream-source.js';
import type { Accepted } from './upgrade/authenticate.js';

/** Told when a client has started following its stream and when it has gone (presence). */
export interface ConnectionHooks {
  opened(client: Client): void;
  closed(client: Client): void;
}

export interface StreamNodeDeps {
  keys: KeyStore;
  limits: Limits;
  logger: Logger;
  streams: StreamSource;
  bus: EventBus;
  handlers: MessageHandlers;
  /** Of these session ids, those still live (re-checks the sockets opened with tickets). */
  liveSessions(sessionIds: string[]): Promise<Map<string, number>>;
  /** One call per frame sent on a socket (the sent-frames metric). */
  sentCounter(socket: SocketName): () => void;
  hooks?: ConnectionHooks;
}

/**
 * The stream side of this process, as centrifuge's node: the hub of local clients fed by the bus,
 * the gap filler and snapshot cache behind it, and the closing of clients whose key was retired
 * or whose session ended. It knows nothing of HTTP or `ws`: a client joins with a Connection and
 * an accepted upgrade (see upgrade/acceptor.ts), and what it sends arrives through `receive`.
 */
export class StreamNode {
  readonly hub = new Hub();
  private readonly router: MessageRouter;
  private readonly gaps: GapFiller;
  private readonly streams: SnapshotCache;
  private readonly sentCounters = new Map<SocketName, () => void>();
  private readonly unsubscribe: () => void;
  private readonly offResubscribed: () => void;
  private readonly onKeysChanged = () => this.closeRetiredKeyConnections();
  /** Every client's `onGap`: one function for all (a closure per client would keep its join's scope). */
  private readonly requestGap = (client: Client) => this.gaps.request(client);
  /** The sockets of ended sessions (logout, password change, account deleted): see revocation.ts. */
  private readonly revocations: SessionRevocations;

  constructor(private readonly deps: StreamNodeDeps) {
    this.router = new MessageRouter(deps.handlers, deps.limits, (err, client) =>
      deps.logger.error({ err, connectionId: client.id }, 'socket message handler failed'),
    );
    this.streams = new SnapshotCache(deps.streams);
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
      liveSessions: deps.liveSessions,
      keepMs: deps.limits.ticketTtlSeconds * 1000,
      recheckMs: deps.limits.sessionRecheckMs,
      onError: (err) => deps.logger.error({ err }, 'could not re-check the sessions of open sockets'),
    });
    deps.keys.on('change', this.onKeysChanged);
  }

  /** A connection whose upgrade was accepted starts following its stream: hello, snapshot or replay, then live. */
  join(conn: Connection, auth: Accepted): Client {
    const client = new Client(conn, auth.socket, auth.stream, auth.principal, this.deps.limits.maxBufferedBytes, this.sentCounterOf(auth.socket), this.requestGap);
    this.hub.add(client);
    // Its session may have ended between the upgrade's check and now; the message has gone by.
    this.revocations.closeIfRevoked(client);
    this.startStream(client, auth.since).catch((err: unknown) => {
      this.deps.logger.error({ err, connectionId: conn.id, stream: auth.stream }, 'could not start stream');
      client.disconnect(DISCONNECTS.internal);
    });
    return client;
  }

  /** A text frame from the client (a binary frame arrives as text that decodes to nothing). */
  receive(client: Client, text: string): void {
    this.router.handle(client, text).catch((err: unknown) => this.deps.logger.error({ err, connectionId: client.id }, 'socket message failed'));
  }

  /** The client's connection has closed. */
  leave(client: Client): void {
    client.state = 'closed';
    this.hub.remove(client);
    this.router.forget(client);
    this.deps.hooks?.closed(client);
  }

  /** hello, then a snapshot or the replay after `since`, then live events without a gap or a repeat. */
  private async startStream(client: Client, since: number | undefined): Promise<void> {
    const opening = await this.streams.open(client.stream, since);
    if (client.state === 'closed') return;
    client.conn.batch(() => {
      client.sendJson({ type: 'hello', stream: client.stream, seq: opening.head, connectionId: client.id });
      if (opening.kind === 'snapshot') {
        // The streams feature reads the snapshot its stream needs (streams/snapshot.ts) but still
        // hands it over untyped; the shapes are the protocol's views.
        const data = opening.snapshot as SnapshotData;
        client.sendJson(opening.reset ? { type: 'snapshot', stream: client.stream, seq: opening.head, data, reset: true } : { type: 'snapshot', stream: client.stream, seq: opening.head, data });
        client.endIfTerminal(opening.terminal);
      } else {
        for (const event of opening.events) client.sendReplayed(event.seq, encodeEvent(event), event.terminal === true);
      }
      client.goLive(opening.head);
    });
    this.deps.hooks?.opened(client);
  }

  private sentCounterOf(socket: SocketName): () => void {
    let counter = this.sentCounters.get(socket);
    if (!counter) this.sentCounters.set(socket, (counter = this.deps.sentCounter(socket)));
    return counter;
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

  /** Stops following the bus, the keys and the sessions, and closes every client with 1001. */
  stop(): void {
    this.deps.keys.off('change', this.onKeysChanged);
    this.unsubscribe();
    this.offResubscribed();
    this.revocations.stop();
    this.gaps.stop();
    this.disconnectAll(DISCONNECTS.shutdown);
  }
}
