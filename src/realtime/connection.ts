/**
 * Where the WebSocket ends. Everything above the transport talks to a connection only through
 * this: write a frame, close, and see how much is still unsent. Tests use a fake that records.
 */
export interface Connection {
  readonly id: string;
  /** Sends one text frame. A Buffer is sent as is, so one serialised event serves every follower. */
  send(data: string | Buffer): void;
  close(code: number, reason: string): void;
  /** Runs `fn`; the frames it sends leave together in one write (hello, snapshot, replay). */
  batch(fn: () => void): void;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
}
