import { SharedFrame, type Connection } from './connection.js';

/** A Connection that records what it was sent, for unit tests of everything above the transport. */
export class FakeConnection implements Connection {
  readonly sent: string[] = [];
  closed: { code: number; reason: string } | null = null;
  bufferedAmount = 0;

  constructor(readonly id = 'fake') {}

  send(data: string | Buffer | SharedFrame): void {
    this.sent.push(data instanceof SharedFrame ? data.payload.toString() : data.toString());
  }

  batch(fn: () => void): void {
    fn();
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
}
