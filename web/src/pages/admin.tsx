import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConnectionBadge } from '../components/connection-badge.js';
import { OrderCard } from '../components/order-card.js';
import { Shell, SignedIn } from '../components/session.js';
import { api, errorText } from '../lib/api.js';
import { useNow } from '../lib/hooks.js';
import { sortedOrders } from '../lib/live-orders.store.js';
import type { AccountView as Account, TheatreView as Theatre } from '../../../src/protocol/index.js';
import { StreamEnded } from '../components/stream-ended.js';
import { AlertsButton, useLiveOrders } from './dashboard.js';
import { Problem } from '../components/notes.js';

function NewTheatre(props: { onCreated(t: Theatre): void }): VNode {
  const [error, setError] = useState('');
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const formEl = ev.currentTarget as HTMLFormElement;
    const form = new FormData(formEl);
    setError('');
    try {
      const { theatre } = await api<{ theatre: Theatre }>('POST', '/api/theatres', {
        name: String(form.get('name') ?? '').trim(),
        cashEnabled: form.get('cashEnabled') === 'on',
        orderLimit: Number(form.get('orderLimit') ?? 20),
      });
      formEl.reset();
      props.onCreated(theatre);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="card inline-form" onSubmit={submit} aria-label="Add a theatre">
      <label>
        Theatre name
        <input name="name" required maxLength={100} />
      </label>
      <label>
        Open orders at most
        <input name="orderLimit" type="number" min="1" max="1000" value="20" required />
      </label>
      <label class="switch">
        <input type="checkbox" name="cashEnabled" /> Takes cash
      </label>
      <button type="submit" class="secondary">
        Add theatre
      </button>
      <Problem text={error} />
    </form>
  );
}

function Overview(props: { account: Account }): VNode {
  const { live, conn, retryInMs, ended } = useLiveOrders();
  const [theatres, setTheatres] = useState<Theatre[] | null>(null);
  const [error, setError] = useState('');
  const now = useNow(1000);
  useEffect(() => {
    api<{ theatres: Theatre[] }>('GET', '/api/theatres')
      .then((r) => setTheatres(r.theatres))
      .catch((err: unknown) => {
        // The table still lists the theatres the stream names; the person is told the rest failed.
        setTheatres([]);
        setError(`The theatres could not be loaded: ${errorText(err)}`);
      });
  }, []);
  const names = new Map((theatres ?? []).map((t) => [t.id, t.name]));
  // Theatres known from the stream too (presence, orders), in case the list is not available.
  const ids = new Set<number>([...names.keys(), ...Object.keys(live.presence).map(Number), ...Object.values(live.orders).map((o) => o.theatreId)]);
  const orders = sortedOrders(live);
  return (
    <Shell account={props.account} title="All theatres" status={<ConnectionBadge state={conn} retryInMs={retryInMs} />}>
      <Problem text={error} />
      <StreamEnded reason={ended} signInAt="/admin" />
      <section aria-labelledby="theatres-title">
        <h2 id="theatres-title">Theatres</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Theatre</th>
                <th scope="col">Staff online</th>
                <th scope="col">Open orders</th>
                <th scope="col">Cash</th>
                <th scope="col">Order limit</th>
              </tr>
            </thead>
            <tbody>
              {[...ids]
                .sort((a, b) => a - b)
                .map((id) => {
                  const t = theatres?.find((x) => x.id === id);
                  const p = live.presence[id];
                  const open = orders.filter((o) => o.theatreId === id).length;
                  return (
                    <tr data-theatre-id={id}>
                      <th scope="row">
                        <a href={`/admin/theatres/${id}`}>{names.get(id) ?? `Theatre ${id}`}</a>
                      </th>
                      <td>
                        <span class={`pill ${p?.online ? 'online' : 'offline'}`} data-presence={p?.online ? 'online' : 'offline'}>
                          {p?.online ? `Online (${p.connections})` : 'Offline'}
                        </span>
                      </td>
                      <td>{open}</td>
                      <td>{t ? (t.cashEnabled ? 'Yes' : 'No') : '–'}</td>
                      <td>{t?.orderLimit ?? '–'}</td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        </div>
        <NewTheatre onCreated={(t: Theatre) => setTheatres((ts) => [...(ts ?? []), t])} />
      </section>
      <section aria-labelledby="orders-title">
        <div class="toolbar">
          <h2 id="orders-title">Live orders ({orders.length})</h2>
          <AlertsButton />
        </div>
        {orders.length === 0 ? <p class="empty">No open orders anywhere.</p> : null}
        <div class="board">
          {orders.map((o) => (
            <OrderCard key={o.id} order={o} now={now} unseen={live.unseen[o.id] === true} showTheatre={names.get(o.theatreId) ?? `Theatre ${o.theatreId}`} />
          ))}
        </div>
      </section>
    </Shell>
  );
}

/** `/admin`: every theatre with its staff presence, and every live order. */
export function AdminPage(): VNode {
  return (
    <SignedIn heading="Admin sign in" adminOnly={true}>
      {(account: Account) => <Overview account={account} />}
    </SignedIn>
  );
}
