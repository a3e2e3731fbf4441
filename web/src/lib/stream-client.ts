import type { ClientMessage, ServerMessages, SocketTarget } from '../../../src/protocol/index.js';
import type { ConnectionState, EndReason } from './stream-connection.js';
import type { ToPage, ToWorker } from './worker-messages.js';

export interface StreamHandlers<M> {
  onMessage(message: M): void;
  onState(state: ConnectionState, retryInMs?: number): void;
  onEnd?(reason: EndReason): void;
}

/**
 * The page's side of a stream followed in the worker. The page tells the worker when the
 * browser goes offline or online, so a dashboard drops at once and resumes at once.
 */
export function followInWorker<T extends SocketTarget>(
  target: T,
  handlers: StreamHandlers<ServerMessages[T['socket']]>,
): { stop(): void; send(message: ClientMessage): void } {
  const worker = new Worker(new URL('./stream.worker.ts', import.meta.url), { type: 'module', name: `${target.socket}-stream` });
  const tell = (message: ToWorker) => worker.postMessage(message);
  worker.onmessage = (ev: MessageEvent<ToPage>) => {
    const m = ev.data;
    // The worker follows `target`'s socket, so what it forwards is that socket's messages.
    if (m.type === 'message') handlers.onMessage(m.message as ServerMessages[T['socket']]);
    else if (m.type === 'state') handlers.onState(m.state, m.retryInMs);
    else if (m.type === 'ended') handlers.onEnd?.(m.reason);
  };
  const online = () => tell({ type: 'online', online: true });
  const offline = () => tell({ type: 'online', online: false });
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  tell({ type: 'start', target, online: navigator.onLine });
  return {
    send: (message) => tell({ type: 'send', message }),
    stop() {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      tell({ type: 'stop' });
      worker.terminate();
    },
  };
}
