import { useEffect, useRef, useState } from 'preact/hooks';
import type { ClientMessage, ServerMessages, SocketTarget } from '../../../src/protocol/index.js';
import { followInWorker } from './stream-client.js';
import { StreamConnection, type ConnectionState, type EndReason } from './stream-connection.js';
import { fetchTicket } from './tickets.js';

export interface StreamStatus {
  conn: ConnectionState;
  retryInMs: number | undefined;
  /** Why the stream stopped for good; null while it runs or reconnects. */
  ended: EndReason | null;
  send(message: ClientMessage): void;
}

export interface UseStreamOptions {
  /**
   * Staff screens follow their socket in a Web Worker (off the main thread, as the original's
   * workers did); the guest's payment page follows it on the page with its order token.
   */
  inWorker: boolean;
  orderToken?: string | undefined;
}

interface Follower {
  stop(): void;
  send(message: ClientMessage): void;
}

/** On the page: the same connection as in the worker, told of the browser's network here. */
function followOnPage<T extends SocketTarget>(
  target: T,
  orderToken: string | undefined,
  handlers: { onMessage(m: ServerMessages[T['socket']]): void; onState(s: ConnectionState, retryInMs?: number): void; onEnd(r: EndReason): void },
): Follower {
  const stream = new StreamConnection<ServerMessages[T['socket']]>({
    target,
    getTicket: () => fetchTicket(target, { orderToken }),
    onMessage: handlers.onMessage,
    onState: (state, detail) => handlers.onState(state, detail.retryInMs),
    onEnd: handlers.onEnd,
  });
  const online = () => stream.setOnline(true);
  const offline = () => stream.setOnline(false);
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  stream.setOnline(navigator.onLine);
  stream.start();
  return {
    send: (message) => void stream.send(message),
    stop() {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      stream.stop();
    },
  };
}

/**
 * The one way a page follows a socket: connects while mounted (null target: not yet), hands each
 * message of that socket to `onMessage` (always the latest one passed), and reports the
 * connection's state and why it ended, for the page to show.
 */
export function useStream<T extends SocketTarget>(target: T | null, onMessage: (message: ServerMessages[T['socket']]) => void, options: UseStreamOptions): StreamStatus {
  const [conn, setConn] = useState<ConnectionState>('connecting');
  const [retryInMs, setRetry] = useState<number | undefined>(undefined);
  const [ended, setEnded] = useState<EndReason | null>(null);
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const follower = useRef<Follower | null>(null);
  const key = target ? `${target.socket}:${target.socket === 'payment' ? target.orderId : ''}` : null;

  useEffect(() => {
    if (!target) return;
    setEnded(null);
    const handlers = {
      onMessage: (m: ServerMessages[T['socket']]) => handler.current(m),
      onState: (state: ConnectionState, retry?: number) => {
        setConn(state);
        setRetry(retry);
      },
      onEnd: setEnded,
    };
    const f = options.inWorker ? followInWorker(target, handlers) : followOnPage(target, options.orderToken, handlers);
    follower.current = f;
    return () => {
      follower.current = null;
      f.stop();
    };
    // The target is compared by what it names, not by object identity.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, options.inWorker, options.orderToken]);

  return { conn, retryInMs, ended, send: (message) => follower.current?.send(message) };
}
