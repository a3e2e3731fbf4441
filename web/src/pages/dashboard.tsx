import type { VNode } from 'preact';
import { useEffect, useReducer, useState } from 'preact/hooks';
import { ConnectionBadge } from '../components/connection-badge.js';
import { OrderCard } from '../components/order-card.js';
import { RefundRequests } from '../components/refund-requests.js';
import { Shell, SignedIn } from '../components/session.js';
import { StreamEnded } from '../components/stream-ended.js';
import { AutoPrintSetting } from '../components/print-controls.js';
import { autoPrintNewOrder } from '../lib/kot-print.js';
import { announceNewOrder, askNotificationPermission, notificationsSupported, unlockAudio } from '../lib/alerts.js';
import { useNow } from '../lib/hooks.js';
import type { AccountView as Account, OrderView as Order } from '../../../src/protocol/index.js';
import { EMPTY_LIVE, reduceLive, sortedOrders, type LiveOrders } from '../lib/live-orders.store.js';
import { useStream } from '../lib/use-stream.js';
import type { ConnectionState, EndReason } from '../lib/stream-connection.js';

const LIVE_ORDERS = { socket: 'live-orders' } as const;

/** The live-orders socket for this person (their theatre, or every theatre for an admin). */
export function useLiveOrders(): { live: LiveOrders; conn: ConnectionState; retryInMs: number | undefined; applyOrder(o: Order): void; ended: EndReason | null; refundChanges: number } {
  const [live, dispatch] = useReducer(reduceLive, EMPTY_LIVE);
  // Moves on every event that may change the refund requests queue.
  const [refundChanges, setRefundChanges] = useState(0);
  const { conn, retryInMs, ended } = useStream(
    LIVE_ORDERS,
    (message) => {
      if (message.type === 'order.confirmed') {
        announceNewOrder(message.data.order);
        autoPrintNewOrder(message.data.order);
      }
      if (message.type === 'order.refundRequested' || message.type === 'order.updated' || message.type === 'order.refunded') setRefundChanges((n) => n + 1);
      dispatch({ kind: 'message', message });
    },
    { inWorker: true },
  );
  return { live, conn, retryInMs, ended, refundChanges, applyOrder: (order) => dispatch({ kind: 'order', order }) };
}

export function AlertsButton(): VNode {
  const [permission, setPermission] = useState<string>(notificationsSupported() ? Notification.permission : 'unsupported');
  const enable = async () => {
    unlockAudio();
    setPermission(await askNotificationPermission());
  };
  if (permission === 'granted') return <span class="muted small">Alerts on</span>;
  return (
    <button type="button" class="secondary" onClick={() => void enable()}>
      Turn on sound and alerts
    </button>
  );
}

function Board(props: { account: Account }): VNode {
  const { live, conn, retryInMs, applyOrder, ended, refundChanges } = useLiveOrders();
  const now = useNow(1000);
  const orders = sortedOrders(live);
  useEffect(() => {
    // Any click on the page allows the beep later on (browsers need a gesture for audio).
    const unlock = () => unlockAudio();
    document.addEventListener('pointerdown', unlock, { once: true });
    return () => document.removeEventListener('pointerdown', unlock);
  }, []);
  return (
    <Shell account={props.account} title="Live orders" status={<ConnectionBadge state={conn} retryInMs={retryInMs} />}>
      <div class="toolbar">
        <p class="count" aria-live="polite">
          {orders.length} open {orders.length === 1 ? 'order' : 'orders'}
        </p>
        <AutoPrintSetting />
        <AlertsButton />
      </div>
      {props.account.theatreId !== null ? <RefundRequests theatreId={props.account.theatreId} changes={refundChanges} /> : null}
      <StreamEnded reason={ended} />
      {conn === 'offline' || conn === 'reconnecting' ? (
        <p class="notice">
          {conn === 'offline' ? 'This device is offline.' : 'The connection dropped.'} Orders shown may be out of date; missed orders appear by themselves once it is back.
        </p>
      ) : null}
      {orders.length === 0 && conn === 'live' ? <p class="empty">No open orders. New ones appear here with a beep.</p> : null}
      <section class="board" aria-label="Open orders">
        {orders.map((o) => (
          <OrderCard key={o.id} order={o} now={now} unseen={live.unseen[o.id] === true} onChanged={applyOrder} />
        ))}
      </section>
    </Shell>
  );
}

/** `/staff`: sign in, then the theatre's live orders. */
export function DashboardPage(): VNode {
  return <SignedIn heading="Staff sign in">{(account: Account) => (account.role === 'admin' ? redirect('/admin') : <Board account={account} />)}</SignedIn>;
}

function redirect(to: string): VNode {
  location.replace(to);
  return (
    <main class="narrow">
      <p role="status">
        Opening <a href={to}>{to}</a>…
      </p>
    </main>
  );
}
