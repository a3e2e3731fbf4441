import { randomUUID } from 'node:crypto';
import type { GatewayUnderTest, ContractPayment, WebhookAnswer } from '../../src/payments/gateway.contract.js';
import type { GatewayName } from '../../src/payments/payment.table.js';
import { SimulatedGateway } from '../../src/payments/simulated.gateway.js';
import { buildWebhook } from '../../src/payments/webhook.js';
import { startFakeCashfree, type FakeCashfree } from './fake-cashfree.js';
import { startFakePhonePe, type FakePhonePe } from './fake-phonepe.js';
import { startFakeRazorpay, type FakeRazorpay } from './fake-razorpay.js';
import { generateSecret } from '../../src/keys/keys-file.js';
import { startTestApp, type TestApp } from './test-app.js';
import { ApiClient, LOGINS, ROOMY_GUEST_LIMITS, seedVenue, type Venue } from './venue.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.js';

/** Sets a theatre's gateway in the database (what the theatre settings' `gateway` writes). */
export async function setTheatreGateway(db: Kysely<Database>, theatreId: number, gateway: GatewayName | null): Promise<void> {
  await db.updateTable('theatres').set({ gateway }).where('id', '=', theatreId).execute();
}

export interface GatewayWorld {
  t: TestApp;
  v: Venue;
  staff: ApiClient;
  gateway: GatewayUnderTest;
  fakes: { razorpay?: FakeRazorpay; cashfree?: FakeCashfree; phonepe?: FakePhonePe };
  webhookSecret: string;
  close(): Promise<void>;
}

/**
 * An app whose theatre 1 takes payments through `name`, with that gateway's fake (if any) on
 * 127.0.0.1, the status check due `afterSeconds` after a payment starts, and the contract's view
 * of it all.
 */
export async function startGatewayWorld(name: GatewayName, opts: { afterSeconds?: number; env?: Record<string, string> } = {}): Promise<GatewayWorld> {
  const webhookSecret = generateSecret();
  const fakes: GatewayWorld['fakes'] = {};
  let env: Record<string, string> = {};
  if (name === 'razorpay') {
    const f = (fakes.razorpay = await startFakeRazorpay());
    env = { RAZORPAY_KEY_ID: f.keyId, RAZORPAY_KEY_SECRET: f.keySecret, RAZORPAY_API_BASE: f.apiBase, RAZORPAY_CHECKOUT_URL: f.checkoutJs };
  } else if (name === 'cashfree') {
    env = (fakes.cashfree = await startFakeCashfree()).env();
  } else if (name === 'phonepe') {
    env = (fakes.phonepe = await startFakePhonePe()).env();
  }
  const afterSeconds = opts.afterSeconds ?? 1;
  const t = await startTestApp({
    AUTH_FAIL_LIMIT: '1000',
    PAYMENT_WEBHOOK_SECRET: webhookSecret,
    PAYMENT_STATUS_CHECK_AFTER_SECONDS: String(afterSeconds),
    ...ROOMY_GUEST_LIMITS,
    ...env,
    ...opts.env,
  });
  if (fakes.razorpay) fakes.razorpay.webhook = { url: t.http('/api/payments/webhook'), secret: webhookSecret };
  if (fakes.cashfree) fakes.cashfree.webhookUrl = t.http('/api/payments/webhook/cashfree');
  if (fakes.phonepe) fakes.phonepe.webhookUrl = t.http('/api/payments/webhook/phonepe');
  const v = await seedVenue(t, 10_000);
  if (name !== 'simulated') await setTheatreGateway(t.app.db, v.theatre1.id, name);
  const staff = await ApiClient.login(t, LOGINS.staff1);
  const tokens = new Map<number, ApiClient>();

  const post = async (path: string, headers: Record<string, string>, body: string): Promise<WebhookAnswer> => {
    const res = await fetch(t.http(path), { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json().catch(() => null)) as WebhookAnswer['body'] };
  };
  const withAgain = async (send: () => Promise<WebhookAnswer>) => ({ ...(await send()), again: send });

  const gateway: GatewayUnderTest = {
    name,
    checkoutPrefix: `/pay/${name === 'simulated' ? 'sim' : name}/`,
    adapter: () => t.app.gateways.get(name)!,
    statusCheckAfterMs: afterSeconds * 1000,
    async start(): Promise<ContractPayment> {
      const placed = await new ApiClient(t).call('POST', '/api/orders', {
        seatId: v.seat1,
        items: [{ itemId: v.item(v.theatre1, 'Salted Popcorn'), quantity: 1 }],
        phone: '+919876543210',
        paymentMethod: 'online',
      });
      if (placed.status !== 201) throw new Error(`order: ${placed.status} ${JSON.stringify(placed.body)}`);
      const guest = new ApiClient(t, placed.body.orderToken);
      tokens.set(placed.body.order.id, guest);
      const started = await guest.call('POST', `/api/orders/${placed.body.order.id}/payments`);
      if (started.status !== 201) throw new Error(`payment: ${started.status} ${JSON.stringify(started.body)}`);
      return { orderId: placed.body.order.id, ...started.body };
    },
    async order(orderId) {
      const r = await tokens.get(orderId)!.call('GET', `/api/orders/${orderId}`);
      return { status: r.body.order.status, paymentStatus: r.body.order.paymentStatus };
    },
    async confirmations(orderId) {
      const rows = await t.app.db.selectFrom('stream_events').select(['data']).where('stream', '=', `theatre:${v.theatre1.id}`).where('type', '=', 'order.confirmed').execute();
      return rows.filter((e) => (JSON.parse(e.data as unknown as string) as { order: { id: number } }).order.id === orderId).length;
    },
    async webhook(kind, p, o = {}) {
      const amount = o.amount ?? p.amount;
      if (name === 'simulated' || name === 'razorpay') {
        const hook = buildWebhook({
          event: kind === 'captured' ? 'payment.captured' : 'payment.failed',
          gatewayOrderId: p.gatewayOrderId,
          gatewayPaymentId: o.paymentRef ?? `pay_${randomUUID().replace(/-/g, '').slice(0, 14)}`,
          amount,
          secret: o.forge ? generateSecret() : webhookSecret,
          eventId: `evt_${randomUUID()}`,
          at: new Date(),
        });
        const headers = { 'content-type': 'application/json', 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId };
        return withAgain(() => post('/api/payments/webhook', headers, hook.rawBody));
      }
      if (name === 'cashfree') {
        const hook = fakes.cashfree!.webhook(kind === 'captured' ? 'PAYMENT_SUCCESS_WEBHOOK' : 'PAYMENT_FAILED_WEBHOOK', { orderId: p.gatewayOrderId, amount, ...(o.paymentRef ? { cfPaymentId: o.paymentRef } : {}) }, { forge: o.forge ?? false });
        return withAgain(() => post('/api/payments/webhook/cashfree', hook.headers, hook.body));
      }
      const hook = fakes.phonepe!.webhook(kind === 'captured' ? 'checkout.order.completed' : 'checkout.order.failed', { merchantOrderId: p.gatewayOrderId, amount, ...(o.paymentRef ? { transactionId: o.paymentRef } : {}) }, { forge: o.forge ?? false });
      return withAgain(() => post('/api/payments/webhook/phonepe', hook.headers, hook.body));
    },
    async payAtGateway(p) {
      if (name === 'razorpay') return fakes.razorpay!.pay(p.gatewayOrderId).paymentId;
      if (name === 'cashfree') return fakes.cashfree!.pay(p.gatewayOrderId).cfPaymentId;
      if (name === 'phonepe') return fakes.phonepe!.pay(p.gatewayOrderId).transactionId;
      const simulated = t.app.gateways.get('simulated') as SimulatedGateway;
      const gatewayPaymentId = `pay_sim_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      simulated.settle(p.gatewayOrderId, { state: 'paid', gatewayPaymentId, amount: p.amount, currency: 'INR' });
      return gatewayPaymentId;
    },
    refundsMade() {
      if (name === 'razorpay') return fakes.razorpay!.refunds.map((r) => r.amount);
      if (name === 'cashfree') return fakes.cashfree!.refunds.map((r) => Math.round(r.amount * 100));
      if (name === 'phonepe') return fakes.phonepe!.refunds.map((r) => r.amount);
      return (t.app.gateways.get('simulated') as SimulatedGateway).refunds.map((r) => r.amount);
    },
    staffRefund: (orderId) => staff.call('POST', `/api/orders/${orderId}/refund`),
    async confirmedMetric(source) {
      const text = await (await fetch(t.http('/metrics'))).text();
      return Number(new RegExp(`^scan2food_payments_confirmed_total\\{source="${source}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    },
    async paymentRow(paymentId) {
      const row = await t.app.db.selectFrom('payments').select(['status', 'check_attempts', 'next_check_at']).where('id', '=', paymentId).executeTakeFirstOrThrow();
      return { status: row.status, checkAttempts: row.check_attempts, nextCheckAt: row.next_check_at };
    },
    async surplusRefunds(orderId) {
      const rows = await t.app.db.selectFrom('refunds').select('id').where('order_id', '=', orderId).where('reason', '=', 'surplus').execute();
      return rows.length;
    },
  };

  return {
    t,
    v,
    staff,
    gateway,
    fakes,
    webhookSecret,
    async close() {
      await t.close();
      await Promise.all([fakes.razorpay?.close(), fakes.cashfree?.close(), fakes.phonepe?.close()]);
    },
  };
}
