/**
 * Fan-out of stream events between the processes of one deployment.
 *
 * Contract (the same for every engine, checked by event-bus.contract.ts):
 * - `publish` delivers the message to every subscriber of every process sharing the bus,
 *   including the publishing one;
 * - messages of one stream reach a subscriber in the order they were published by one publisher;
 * - delivery is at most once per subscription; durability lives in the database outbox, which
 *   republishes anything not confirmed, and followers drop seqs they already have;
 * - `payload` is the event already serialised, so it is encoded once per event, not per socket.
 * The bus knows nothing of sockets.
 */
export interface BusMessage {
  stream: string;
  seq: number;
  payload: string;
  /** The event ends a payment-ticket connection (computed once by the writer, see streams/terminal.ts). */
  terminal?: boolean;
}

export type BusListener = (message: BusMessage) => void;

/** A control message between processes (a revocation), opaque to the bus. */
export type ControlListener = (payload: string) => void;

export interface EventBus {
  publish(message: BusMessage): Promise<void>;
  /** Publishes several messages in this order, in one round trip where the engine has one (the relay's batches). */
  publishAll(messages: readonly BusMessage[]): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(listener: BusListener): () => void;
  /**
   * Control messages, apart from stream events: delivered to every control listener of every
   * process, the publishing one included, at most once, never to event subscribers (and events
   * never to control listeners). What a control message says must also be a fact in the database,
   * so a process that missed one (see onResubscribed) can re-read it.
   */
  publishControl(payload: string): Promise<void>;
  /** Returns the function that unsubscribes. */
  onControl(listener: ControlListener): () => void;
  /**
   * Called each time the subscription is back after an interruption: messages published while it
   * was down never reach this process, so followers re-read what they miss from history.
   * Returns the function that unsubscribes.
   */
  onResubscribed(listener: () => void): () => void;
  /** Whether publishing currently works (for /readyz). */
  readonly healthy: boolean;
  close(): Promise<void>;
}
