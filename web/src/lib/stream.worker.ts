import { StreamConnection } from './stream-connection.js';
import { fetchTicket } from './tickets.js';
import type { ToPage, ToWorker } from './worker-messages.js';

/**
 * The staff dashboards' socket lives here, off the page's main thread (as the original's
 * workers did): it keeps reconnecting and resuming while the page only renders.
 */
interface WorkerScope {
  postMessage(message: ToPage): void;
  onmessage: ((ev: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;
let connection: StreamConnection | null = null;

const post = (message: ToPage) => scope.postMessage(message);

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const message = ev.data;
  switch (message.type) {
    case 'start':
      connection?.stop();
      connection = new StreamConnection({
        target: message.target,
        getTicket: () => fetchTicket(message.target),
        onMessage: (m) => post({ type: 'message', message: m }),
        onState: (state, detail) => post({ type: 'state', state, ...detail }),
        onEnd: (reason) => post({ type: 'ended', reason }),
      });
      connection.setOnline(message.online);
      connection.start();
      break;
    case 'online':
      connection?.setOnline(message.online);
      break;
    case 'send':
      connection?.send(message.message);
      break;
    case 'stop':
      connection?.stop();
      connection = null;
      break;
  }
};
