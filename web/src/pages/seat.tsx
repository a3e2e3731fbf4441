import type { VNode } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorText, randomId } from '../lib/api.js';
import { useVisibleInterval } from '../lib/hooks.js';
import { rupees } from '../lib/money.js';
import { saveOrderToken } from '../lib/order-token.js';
import { computeTotals, type OrderView as Order, type PaymentMethod, type SeatMenuItem as MenuEntry, type SeatView } from '../../../src/protocol/index.js';
import { Problem } from '../components/notes.js';
import { Bill } from '../components/bill.js';
import { MAX_QUANTITY, MenuItemCard } from '../components/menu-item-card.js';

/** How often the menu is re-read while the page is visible, so switched-off items vanish. */
const MENU_REFRESH_MS = 3000;

type Cart = Record<number, number>;

/** `/s/<seatId>`: what a seat's QR code opens. Menu, cart, phone, payment method, order. */
export function SeatPage(props: { seatId: number }): VNode {
  const [view, setView] = useState<SeatView | null>(null);
  const [loadError, setLoadError] = useState('');
  const [cart, setCart] = useState<Cart>({});
  const [notice, setNotice] = useState('');
  const [phone, setPhone] = useState('');
  const [method, setMethod] = useState<PaymentMethod>('online');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  // One Idempotency-Key per attempt: a retry of the same order after a lost answer reuses it.
  const attemptKey = useRef<string | null>(null);

  useVisibleInterval(
    () => {
      api<SeatView>('GET', `/api/seats/${props.seatId}`)
        .then((v) => {
          setView(v);
          setLoadError('');
          setCart((c) => dropUnavailable(c, v, setNotice));
          if (!v.theatre.cashEnabled) setMethod('online');
        })
        .catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 404) setLoadError('This seat is not known. Please scan the code on your seat again.');
          else if (!view) setLoadError(errorText(err));
        });
    },
    MENU_REFRESH_MS,
    [props.seatId],
  );

  const items = useMemo(() => {
    const byId = new Map<number, MenuEntry>();
    for (const c of view?.menu ?? []) for (const i of c.items) byId.set(i.id, i);
    return byId;
  }, [view]);
  const lines = Object.entries(cart)
    .map(([id, quantity]) => ({ item: items.get(Number(id)), quantity }))
    .filter((l): l is { item: MenuEntry; quantity: number } => l.item !== undefined && l.quantity > 0);
  // The same formula the server charges by (protocol/totals.ts): the bill here is the amount paid.
  const bill = view ? computeTotals(lines.map((l) => ({ price: l.item.price, quantity: l.quantity })), view.theatre.pricing) : null;
  const total = bill?.total ?? 0;

  const change = (id: number, delta: number) => {
    attemptKey.current = null;
    setCart((c) => {
      const q = Math.max(0, Math.min(MAX_QUANTITY, (c[id] ?? 0) + delta));
      const next = { ...c };
      if (q === 0) delete next[id];
      else next[id] = q;
      return next;
    });
  };

  const placeOrder = async (ev: Event) => {
    ev.preventDefault();
    if (!view || lines.length === 0) return;
    setBusy(true);
    setError('');
    attemptKey.current ??= randomId();
    try {
      const { order, orderToken } = await api<{ order: Order; orderToken: string }>(
        'POST',
        '/api/orders',
        { seatId: props.seatId, items: lines.map((l) => ({ itemId: l.item.id, quantity: l.quantity })), phone, paymentMethod: method },
        { idempotencyKey: attemptKey.current },
      );
      saveOrderToken(order.id, orderToken);
      attemptKey.current = null;
      if (method === 'online') {
        const payment = await api<{ checkoutUrl: string }>('POST', `/api/orders/${order.id}/payments`, undefined, { token: orderToken });
        location.assign(payment.checkoutUrl);
      } else {
        location.assign(`/o/${order.id}`);
      }
    } catch (err) {
      // A refusal (422, 404) will not change by retrying the same key: the next press is a new attempt.
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) attemptKey.current = null;
      setError(errorText(err));
      setBusy(false);
    }
  };

  if (loadError && !view) {
    return (
      <main class="narrow">
        <h1>scan2food</h1>
        <Problem text={loadError} />
      </main>
    );
  }
  if (!view) {
    return (
      <main class="narrow">
        <p role="status">Loading the menu…</p>
      </main>
    );
  }
  const choose = (m: PaymentMethod) => () => {
    attemptKey.current = null;
    setMethod(m);
  };

  return (
    <main class="guest">
      <header class="guest-head">
        <h1>{view.theatre.name}</h1>
        <p class="where">
          Seat <strong>{view.seat.name}</strong> · Row {view.row.name} · {view.hall.name}
        </p>
      </header>
      <p role="status" aria-live="polite" class="notice">
        {notice}
      </p>
      {view.menu.map((c) => {
        const available = c.items.filter((i) => i.available);
        if (available.length === 0) return null;
        return (
          <section class="category" aria-labelledby={`cat-${c.id}`}>
            <h2 id={`cat-${c.id}`}>{c.category}</h2>
            <ul class="menu-list">
              {available.map((i) => (
                <MenuItemCard item={i} quantity={cart[i.id] ?? 0} onChange={(delta) => change(i.id, delta)} />
              ))}
            </ul>
          </section>
        );
      })}
      <form class="card checkout stack" onSubmit={placeOrder} aria-labelledby="checkout-title">
        <h2 id="checkout-title">Your order</h2>
        {lines.length === 0 ? (
          <p class="muted">Nothing yet. Add something from the menu.</p>
        ) : (
          <ul class="cart">
            {lines.map((l) => (
              <li>
                <span>
                  {l.quantity} × {l.item.name}
                </span>
                <span>{rupees(l.item.price * l.quantity)}</span>
              </li>
            ))}
          </ul>
        )}
        {bill && lines.length > 0 ? <Bill totals={bill} discountMessage={view.theatre.discountMessage} pricesIncludeTax={view.theatre.pricing.pricesIncludeTax} /> : null}
        <label for="phone">Mobile number</label>
        <input
          id="phone"
          name="phone"
          type="tel"
          inputMode="tel"
          autocomplete="tel"
          required
          placeholder="98765 43210"
          value={phone}
          onInput={(e) => {
            attemptKey.current = null;
            setPhone(e.currentTarget.value);
          }}
        />
        <fieldset class="methods">
          <legend>Payment</legend>
          <label>
            <input type="radio" name="method" value="online" checked={method === 'online'} onChange={choose('online')} /> Pay online
          </label>
          {view.theatre.cashEnabled ? (
            <label>
              <input type="radio" name="method" value="cash" checked={method === 'cash'} onChange={choose('cash')} /> Cash at my seat
            </label>
          ) : (
            <p class="muted">This theatre takes online payment only.</p>
          )}
        </fieldset>
        <button type="submit" class="primary big" disabled={busy || lines.length === 0}>
          {busy ? 'Placing your order…' : method === 'online' ? `Pay ${rupees(total)}` : `Order for ${rupees(total)}`}
        </button>
        <Problem text={error} />
      </form>
    </main>
  );
}

/** Items switched off (or removed) since they went into the cart leave it, and the guest is told. */
function dropUnavailable(cart: Cart, view: SeatView, tell: (s: string) => void): Cart {
  const available = new Set<number>();
  for (const c of view.menu) for (const i of c.items) if (i.available) available.add(i.id);
  let changed = false;
  const next: Cart = {};
  for (const [id, q] of Object.entries(cart)) {
    if (available.has(Number(id))) next[Number(id)] = q;
    else changed = true;
  }
  if (!changed) return cart;
  tell('Something in your order is no longer available and was removed.');
  return next;
}
