/**
 * One event's bytes as every follower is sent them: built once per event (hub, gap filler), handed
 * to every connection. A transport may keep its own wire form of them here (the WebSocket frame,
 * header and payload in one buffer), computed by the first connection that sends it and written as
 * is by all the others: one framing per event instead of one per socket.
 */
export class SharedFrame {
  /** The transport's wire bytes of `payload`, once a connection has framed it. */
  wire: Buffer | undefined = undefined;
  constructor(readonly payload: Buffer) {}
}

/**
 * Where the WebSocket ends. Everything above the transport talks to a connection only through
 * this: write a frame, close, and see how much is still unsent. Tests use a fake that records.
 */
export interface Connection {
  readonly id: string;
  /**
   * Sends one text frame. A Buffer is sent as is; a SharedFrame is the same bytes for every
   * follower of an event, framed once for all of them when the transport can.
   */
  send(data: string | Buffer | SharedFrame): void;
  close(code: number, reason: string): void;
  /** Runs `fn`; the frames it sends leave together in one write (hello, snapshot, replay). */
  batch(fn: () => void): void;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
}
