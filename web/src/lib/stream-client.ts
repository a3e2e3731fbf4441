import type { ConnectionState } from './stream-connection.js';
import type { SocketName } from './tickets.js';
import type { ServerMessage } from './types.js';
import type { ToPage, ToWorker } from './worker-messages.js';

export interface StreamHandlers {
  onMessage(message: ServerMessage): void;
  onState(state: ConnectionState, retryInMs?: number): void;
  onFatal?(status: number): void;
}

/**
 * The page's side of a stream followed in the worker. The page tells the worker when the
 * browser goes offline or online, so a dashboard drops at once and resumes at once.
 */
export function followInWorker(socket: SocketName, path: string, handlers: StreamHandlers): { stop(): void; send(message: unknown): void } {
  const worker = new Worker(new URL('./stream.worker.ts', import.meta.url), { type: 'module', name: `${socket}-stream` });
  const tell = (message: ToWorker) => worker.postMessage(message);
  worker.onmessage = (ev: MessageEvent<ToPage>) => {
    const m = ev.data;
    if (m.type === 'message') handlers.onMessage(m.message);
    else if (m.type === 'state') handlers.onState(m.state, m.retryInMs);
    else if (m.type === 'fatal') handlers.onFatal?.(m.status);
  };
  const online = () => tell({ type: 'online', online: true });
  const offline = () => tell({ type: 'online', online: false });
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  tell({ type: 'start', socket, path, online: navigator.onLine });
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
