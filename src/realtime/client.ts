import type { ChatSnapshot, HelloMessage, LiveOrdersSnapshot, PaymentSnapshot, ServerMessage, SnapshotMessage, StreamName } from '../protocol/index.js';
import type { Principal } from './upgrade/authenticate.js';
import { SharedFrame, type Connection } from './connection.js';
import type { SocketName } from './sockets.js';
import { DISCONNECTS, type Disconnect } from './close-codes.js';

type HeldEvent = { seq: number; payload: SharedFrame; terminal: boolean };
/** What a live or closed client holds: nothing. Shared, never written to (only a syncing client holds). */
const NOTHING_HELD: HeldEvent[] = [];

/** Events a client may hold ahead of a missing one before it is cut off to resume instead. */
const MAX_EVENTS_AHEAD = 1_000;

/** A snapshot's data: what the stream source reads for the stream (SPEC §3). */
export type SnapshotData = LiveOrdersSnapshot | PaymentSnapshot | ChatSnapshot;

/**
 * What a client is sent. `ServerMessage` ties each socket's hello and snapshot to that socket's
 * own streams; the node opens every socket's streams with one code path, so it builds them in
 * their socket-agnostic form (the same shapes over `StreamName`).
 */
export type OutgoingMessage = ServerMessage | HelloMessage<StreamName> | SnapshotMessage<SnapshotData, StreamName>;

/**
 * Connection states. `syncing`: registered for live events but still sending hello and the
 * snapshot or replay; live events are held back meanwhile. `live`: events go straight out.
 * `closed`: nothing more is sent.
 */
export type ClientState = 'syncing' | 'live' | 'closed';

/**
 * One connected client following one stream. It knows nothing of `ws`: it writes to a
 * Connection. Events carry their stream `seq`; a client never sends a seq twice or out of
 * order, which makes the seam between replay and live delivery exact.
 */
export class Client {
  state: ClientState = 'syncing';
  /** Highest seq sent; events at or below it are duplicates of what the client already has. */
  private lastSeq = 0;
  private held: HeldEvent[] = [];
  /** Events received ahead of a missing seq, by seq; made on the first one (most clients never need it). */
  private ahead: Map<number, { payload: SharedFrame; terminal: boolean }> | null = null;

  constructor(
    readonly conn: Connection,
    readonly socket: SocketName,
    readonly stream: StreamName,
    readonly principal: Principal,
    private readonly maxBufferedBytes: number,
    private readonly onSent: () => void,
    private readonly onGap: (client: Client) => void = () => undefined,
  ) {
    // A guest's payment ticket is tied to its order: once the payment is final, the socket ends.
    this.closeOnTerminal = socket === 'payment' && principal.kind === 'ticket';
  }

  private readonly closeOnTerminal: boolean;

  get id(): string {
    return this.conn.id;
  }

  /** Sends a message that is not a stream event (hello, snapshot, pong, replies). */
  sendJson(message: OutgoingMessage): void {
    if (this.state === 'closed') return;
    this.write(JSON.stringify(message));
  }

  /**
   * Sends an event of the followed stream, in seq order and exactly once. While syncing, events
   * are held. An event that arrives ahead of a missing one (publishers on several processes, or
   * two commits published out of order) waits until the missing one arrives or is fetched
   * (`onGap` asks for that); events already sent are dropped.
   */
  deliver(seq: number, event: Buffer | SharedFrame, terminal = false): void {
    const payload = event instanceof SharedFrame ? event : new SharedFrame(event);
    if (this.state !== 'live') {
      if (this.state === 'syncing') this.held.push({ seq, payload, terminal });
      return;
    }
    if (seq <= this.lastSeq) return;
    if (seq > this.lastSeq + 1) {
      (this.ahead ??= new Map()).set(seq, { payload, terminal });
      if (this.ahead.size > MAX_EVENTS_AHEAD) this.disconnect(DISCONNECTS.tooSlow);
      else this.onGap(this);
      return;
    }
    this.sendEvent(seq, payload, terminal);
    let next: { payload: SharedFrame; terminal: boolean } | undefined;
    while (this.state === 'live' && this.ahead !== null && (next = this.ahead.get(this.lastSeq + 1)) !== undefined) {
      this.ahead.delete(this.lastSeq + 1);
      this.sendEvent(this.lastSeq + 1, next.payload, next.terminal);
    }
  }

  /** Sends the next event; after a terminal one, a client that closes on it is done (1000). */
  private sendEvent(seq: number, payload: SharedFrame, terminal: boolean): void {
    this.lastSeq = seq;
    this.write(payload);
    if (terminal && this.closeOnTerminal) this.disconnect(DISCONNECTS.done);
  }

  /** The highest seq this client has, when it waits for a missing one; null when it lacks nothing. */
  get missingAfter(): number | null {
    return this.state === 'live' && this.ahead !== null && this.ahead.size > 0 ? this.lastSeq : null;
  }

  /** The highest seq sent, once live; null while syncing or closed. */
  get sentUpTo(): number | null {
    return this.state === 'live' ? this.lastSeq : null;
  }

  /** Ends syncing: everything up to `seq` has been sent; held events after it follow in order. */
  goLive(seq: number): void {
    if (this.state !== 'syncing') return;
    this.lastSeq = Math.max(this.lastSeq, seq);
    this.state = 'live';
    const held = this.held.sort((a, b) => a.seq - b.seq);
    this.held = NOTHING_HELD;
    for (const event of held) this.deliver(event.seq, event.payload, event.terminal);
  }

  /** Sends a replayed event while syncing, so the live seam skips it. */
  sendReplayed(seq: number, payload: string, terminal: boolean): void {
    if (this.state !== 'syncing') return;
    this.lastSeq = Math.max(this.lastSeq, seq);
    this.write(payload);
    if (terminal && this.closeOnTerminal) this.disconnect(DISCONNECTS.done);
  }

  /** After a snapshot that is already final, a client that closes on it is done. */
  endIfTerminal(terminal: boolean): void {
    if (terminal && this.closeOnTerminal) this.disconnect(DISCONNECTS.done);
  }

  disconnect(d: Disconnect): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.held = NOTHING_HELD;
    this.ahead = null;
    this.conn.close(d.code, d.reason);
  }

  private write(data: string | SharedFrame): void {
    // A reader that lets this much pile up would only slow everyone else down: it is cut off
    // and resumes with `since` once it can keep up.
    if (this.conn.bufferedAmount > this.maxBufferedBytes) {
      this.disconnect(DISCONNECTS.tooSlow);
      return;
    }
    this.conn.send(data);
    this.onSent();
  }
}
