import { randomUUID } from 'node:crypto';
import { buildWebhook, type WebhookEventName } from '../src/payments/webhook.js';
import type { SeededTheatre } from '../src/seed/seed.service.js';
import type { Cluster } from './cluster.js';
import type { CallOptions, Reply } from './http.js';
import type { Ledger, OrderEntry } from './ledger.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const chance = (p: number) => Math.random() < p;
const pickOf = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
/** Think time of a guest or a member of staff between two steps. */
const think = () => sleep(200 + Math.random() * 1500);

/** A guest's own public address (a phone on mobile data), forwarded by the proxy in front. */
export const guestAddress = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
export const guestPhone = () => `+9198${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

export interface Payment {
  gatewayOrderId: string;
  amount: number;
}

/**
 * The guests and staff of the soak: orders placed, paid, cancelled, served and refunded the way a
 * busy interval does it, with the races the issue found (cancels racing captures, repeated and
 * parallel webhooks, stale failures, parallel refunds) on every process at once.
 */
export class Guests {
  constructor(
    private readonly c: Cluster,
    private readonly ledger: Ledger,
    private readonly followPayment: (order: OrderEntry) => void,
  ) {}

  async call(route: string, i: number, method: string, path: string, o?: CallOptions): Promise<Reply | null> {
    try {
      const r = await this.c.http.call(i, method, path, o);
      this.ledger.answer(route, r.status);
      return r;
    } catch (err) {
      this.ledger.requestErrors++;
      this.ledger.violation('no answer', `${route}: no answer from process ${i + 1} (${(err as Error).message})`);
      return null;
    }
  }

  theatres(): SeededTheatre[] {
    return this.c.seeded.theatres;
  }

  async place(theatre: SeededTheatre, phone: string, method: 'online' | 'cash', scenario: string): Promise<OrderEntry | null> {
    const seat = pickOf(pickOf(theatre.halls[0]!.rows).seats).id;
    const items = theatre.menu.flatMap((m) => m.items).map((it) => ({ itemId: it.id, quantity: 1 + Math.floor(Math.random() * 3) }));
    const body = { seatId: seat, items: [pickOf(items)], phone, paymentMethod: method };
    const from = guestAddress();
    const headers = { 'idempotency-key': randomUUID() };
    const i = this.c.http.pick();
    // A flaky connection sends the same order twice, to two processes: one order, same answer.
    const replay = chance(0.1);
    const [r, again] = await Promise.all([
      this.call('POST /api/orders', i, 'POST', '/api/orders', { body, headers, from }),
      replay ? this.call('POST /api/orders (replay)', this.c.http.other(i), 'POST', '/api/orders', { body, headers, from }) : null,
    ]);
    if (r?.status !== 201) return null;
    if (again && again.status === 201 && again.body.order.id !== r.body.order.id) {
      this.ledger.violation('idempotency', `one Idempotency-Key made orders ${r.body.order.id} and ${again.body.order.id}`);
    }
    const entry: OrderEntry = { id: r.body.order.id, theatreId: theatre.id, token: r.body.orderToken, method, phone, scenario, cancelsOk: 0, cancelsRefused: 0, refundsOk: 0 };
    this.ledger.orders.set(entry.id, entry);
    this.ledger.scenario(scenario);
    return entry;
  }

  async startPayment(order: OrderEntry): Promise<Payment | null> {
    const r = await this.call('POST /api/orders/:id/payments', this.c.http.pick(), 'POST', `/api/orders/${order.id}/payments`, { bearer: order.token, from: guestAddress() });
    return r?.status === 201 ? { gatewayOrderId: r.body.gatewayOrderId, amount: r.body.amount } : null;
  }

  /** A signed gateway webhook to process `i` (a fresh event id unless one is given: a retry). */
  async webhook(i: number, event: WebhookEventName, p: Payment, gatewayPaymentId: string, eventId = `evt_${randomUUID()}`): Promise<Reply | null> {
    const hook = buildWebhook({ event, gatewayOrderId: p.gatewayOrderId, gatewayPaymentId, amount: p.amount, secret: this.c.secrets.webhook, eventId, at: new Date() });
    return this.call(`webhook ${event}`, i, 'POST', '/api/payments/webhook', {
      raw: hook.rawBody,
      headers: { 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId },
    });
  }

  async staff(order: OrderEntry, action: 'seen' | 'deliver' | 'cancel' | 'refund', i = this.c.http.pick()): Promise<number> {
    const cookie = this.c.staff.find((s) => s.theatreId === order.theatreId)!.cookie;
    const r = await this.call(`POST /api/orders/:id/${action}`, i, 'POST', `/api/orders/${order.id}/${action}`, { cookie });
    const status = r?.status ?? 0;
    if (action === 'cancel') status === 200 ? order.cancelsOk++ : status === 409 && order.cancelsRefused++;
    if (action === 'refund' && status === 200) order.refundsOk++;
    return status;
  }

  /** Staff on every process press cancel at once (a double-click, two devices). */
  private cancelStorm(order: OrderEntry, n: number): Promise<number[]> {
    return Promise.all(Array.from({ length: n }, (_, k) => this.staff(order, 'cancel', k % this.c.http.bases.length)));
  }

  /** One order from seat to the end of its life. */
  async life(): Promise<void> {
    const theatre = chance(0.7) ? this.theatres()[0]! : this.theatres()[1]!;
    const cash = theatre.cashEnabled && chance(0.3);
    if (cash) {
      const order = await this.place(theatre, guestPhone(), 'cash', 'cash');
      if (order) await this.serve(order, null);
      return;
    }
    const roll = Math.random();
    const scenario =
      roll < 0.5 ? 'capture' : roll < 0.6 ? 'fail-then-retry' : roll < 0.67 ? 'stale-failure' : roll < 0.82 ? 'cancel-races-capture' : roll < 0.9 ? 'parallel-captures' : 'abandoned';
    const order = await this.place(theatre, guestPhone(), 'online', scenario);
    if (!order) return;
    if (chance(0.25)) this.followPayment(order);
    await think();
    const paid = await this.pay(order, scenario);
    if (paid) await this.serve(order, paid);
  }

  /** Pays (or fails to) per scenario; the payment to refund later, when the order should be served. */
  async pay(order: OrderEntry, scenario: string): Promise<{ payment: Payment; gatewayPaymentId: string } | null> {
    const http = this.c.http;
    const first = await this.startPayment(order);
    if (!first) return null;
    const payId = `pay_${randomUUID()}`;
    await think();
    switch (scenario) {
      case 'capture': {
        const i = http.pick();
        const eventId = `evt_${randomUUID()}`;
        // Razorpay retries a webhook it thinks was lost: sometimes the same event twice, at once.
        await Promise.all([this.webhook(i, 'payment.captured', first, payId, eventId), chance(0.3) ? this.webhook(http.other(i), 'payment.captured', first, payId, eventId) : null]);
        return { payment: first, gatewayPaymentId: payId };
      }
      case 'fail-then-retry': {
        await this.webhook(http.pick(), 'payment.failed', first, `pay_${randomUUID()}`);
        await think();
        const second = await this.startPayment(order);
        if (!second) return null;
        await this.webhook(http.pick(), 'payment.captured', second, payId);
        return { payment: second, gatewayPaymentId: payId };
      }
      case 'stale-failure': {
        // Two attempts; the second is paid, then the first one's failure arrives late.
        const second = await this.startPayment(order);
        if (!second) return null;
        await this.webhook(http.pick(), 'payment.captured', second, payId);
        await this.webhook(http.pick(), 'payment.failed', first, `pay_${randomUUID()}`);
        return { payment: second, gatewayPaymentId: payId };
      }
      case 'cancel-races-capture': {
        await Promise.all([this.cancelStorm(order, 12), this.webhook(http.pick(), 'payment.captured', first, payId), chance(0.3) ? this.webhook(http.pick(), 'payment.captured', first, payId) : null]);
        return null;
      }
      case 'parallel-captures': {
        await Promise.all(Array.from({ length: 6 }, (_, k) => this.webhook(k % http.bases.length, 'payment.captured', first, payId)));
        return { payment: first, gatewayPaymentId: payId };
      }
      default:
        return null; // abandoned at the checkout page
    }
  }

  /** Staff serve a confirmed order: seen, then delivered, or cancelled, or refunded (in parallel with the gateway's refund webhooks). */
  async serve(order: OrderEntry, paid: { payment: Payment; gatewayPaymentId: string } | null): Promise<void> {
    await think();
    if (chance(0.8)) await this.staff(order, 'seen');
    await think();
    const roll = Math.random();
    if (roll < 0.6) {
      await this.staff(order, 'deliver');
      if (paid && chance(0.1)) await this.refund(order, paid);
    } else if (roll < 0.8 && paid) {
      await this.refund(order, paid);
    } else if (roll < 0.92) {
      await this.cancelStorm(order, chance(0.3) ? 4 : 1);
      if (paid && chance(0.5)) await this.refund(order, paid);
    } // else: still open at the end of the run
  }

  /** Refunds from three staff devices at once while the gateway's refund.processed arrives twice. */
  private async refund(order: OrderEntry, paid: { payment: Payment; gatewayPaymentId: string }): Promise<void> {
    const http = this.c.http;
    const webhooks = chance(0.5) ? [this.webhook(http.pick(), 'refund.processed', paid.payment, paid.gatewayPaymentId), this.webhook(http.pick(), 'refund.processed', paid.payment, paid.gatewayPaymentId)] : [];
    await Promise.all([this.staff(order, 'refund', 0), this.staff(order, 'refund', http.other(0)), this.staff(order, 'refund', http.pick()), ...webhooks]);
  }
}
