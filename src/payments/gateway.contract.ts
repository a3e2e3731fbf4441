import { describe, expect, it } from 'vitest';
import { GatewayError, type PaymentGateway } from './payment.gateway.js';
import type { GatewayName } from './payment.table.js';

/** A placed online order whose payment was started at the gateway under test. */
export interface ContractPayment {
  orderId: number;
  paymentId: number;
  gatewayOrderId: string;
  amount: number;
  checkoutUrl: string;
  gateway: string;
}

export interface WebhookAnswer {
  status: number;
  body: { status?: string; reason?: string; error?: { code: string } } | null;
}

/**
 * One gateway wired into a running app (with its fake, when it has one), as the contract drives
 * it. Webhooks are sent as that gateway sends them, in its own wire format and signature.
 */
export interface GatewayUnderTest {
  name: GatewayName;
  /** The path prefix of its checkout link (`/pay/<page>/`). */
  checkoutPrefix: string;
  /** The adapter the app uses (for adapter-level refunds and status). */
  adapter: () => PaymentGateway;
  start(): Promise<ContractPayment>;
  order(orderId: number): Promise<{ status: string; paymentStatus: string }>;
  /** How many `order.confirmed` events the order's theatre stream holds for it. */
  confirmations(orderId: number): Promise<number>;
  /**
   * Sends a webhook of the gateway's: `forge` signs it with the wrong secret; `paymentRef` is the
   * gateway's own payment reference (from payAtGateway) when the webhook is about that payment.
   * Returns a function that sends the very same request again.
   */
  webhook(
    kind: 'captured' | 'failed',
    p: ContractPayment,
    opts?: { amount?: number; forge?: boolean; paymentRef?: string },
  ): Promise<WebhookAnswer & { again(): Promise<WebhookAnswer> }>;
  /** The guest pays at the gateway and no webhook arrives; returns the gateway's payment reference. */
  payAtGateway(p: ContractPayment): Promise<string>;
  /** Refunds the gateway made so far, in paise, in order. */
  refundsMade(): number[];
  /** A staff refund of the order (full). */
  staffRefund(orderId: number): Promise<{ status: number; body: any }>;
  /** `scan2food_payments_confirmed_total{source}` as /metrics shows it now. */
  confirmedMetric(source: 'webhook' | 'status_check'): Promise<number>;
  /** The payment row's status and status-check bookkeeping. */
  paymentRow(paymentId: number): Promise<{ status: string; checkAttempts: number; nextCheckAt: string | null }>;
  /** Refunds recorded for the order as surplus (a second capture sent back). */
  surplusRefunds(orderId: number): Promise<number>;
  /** PAYMENT_STATUS_CHECK_AFTER_SECONDS the app was started with, in ms. */
  statusCheckAfterMs: number;
}

async function eventually<T>(check: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The one contract every payment gateway passes, driven end to end through the app (SPEC §4 and
 * §6 Gateways): create, confirm by webhook, a forged webhook refused, a repeat and a wrong
 * amount changing nothing, refunds in full and in part, a lost webhook confirmed by the status
 * check, and a webhook racing the status check confirming once.
 */
export function gatewayContract(label: string, get: () => GatewayUnderTest): void {
  describe(`payment gateway contract: ${label}`, () => {
    it('creates the order at the gateway and hands out its checkout link; the gateway says pending', async () => {
      const g = get();
      const p = await g.start();
      expect(p.gateway).toBe(g.name);
      expect(p.checkoutUrl.startsWith(g.checkoutPrefix)).toBe(true);
      expect(await g.adapter().status(p.gatewayOrderId)).toEqual({ state: 'pending' });
      expect(await g.order(p.orderId)).toEqual({ status: 'placed', paymentStatus: 'pending' });
    });

    it('confirms the order by its signed webhook', async () => {
      const g = get();
      const p = await g.start();
      const before = await g.confirmedMetric('webhook');
      const answer = await g.webhook('captured', p);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { status: 'processed' } });
      expect(await g.order(p.orderId)).toEqual({ status: 'confirmed', paymentStatus: 'success' });
      expect(await g.confirmations(p.orderId)).toBe(1);
      expect(await g.confirmedMetric('webhook')).toBe(before + 1);
    });

    it('refuses a forged webhook with 400 and changes nothing', async () => {
      const g = get();
      const p = await g.start();
      const forged = await g.webhook('captured', p, { forge: true });
      expect(forged.status).toBe(400);
      expect(forged.body?.error?.code).toBe('bad_request');
      expect(await g.order(p.orderId)).toEqual({ status: 'placed', paymentStatus: 'pending' });
      expect(await g.confirmations(p.orderId)).toBe(0);
    });

    it('ignores a repeat: the same webhook again, and a failure after the capture, change nothing', async () => {
      const g = get();
      const p = await g.start();
      const first = await g.webhook('captured', p);
      expect(first.body).toEqual({ status: 'processed' });
      const repeat = await first.again();
      expect(repeat.status).toBe(200);
      expect(repeat.body?.status).not.toBe('processed');
      const late = await g.webhook('failed', p);
      expect(late.status).toBe(200);
      expect(late.body?.status).not.toBe('processed');
      expect(await g.order(p.orderId)).toEqual({ status: 'confirmed', paymentStatus: 'success' });
      expect(await g.confirmations(p.orderId)).toBe(1);
    });

    it('changes nothing on a capture of another amount (answered 200, alerted)', async () => {
      const g = get();
      const p = await g.start();
      const wrong = await g.webhook('captured', p, { amount: p.amount - 100 });
      expect(wrong.status).toBe(200);
      expect(wrong.body).toEqual({ status: 'ignored', reason: 'amount mismatch' });
      expect(await g.order(p.orderId)).toEqual({ status: 'placed', paymentStatus: 'pending' });
    });

    it('refunds in part and in full at the adapter, once per idempotency key', async () => {
      const g = get();
      const p = await g.start();
      await g.payAtGateway(p);
      const status = await g.adapter().status(p.gatewayOrderId);
      expect(status).toMatchObject({ state: 'paid', amount: p.amount });
      if (status.state !== 'paid') return;
      const made = g.refundsMade().length;
      const part = Math.floor(p.amount / 4);
      const key = `rf_contract_${p.paymentId}_a`;
      const first = await g.adapter().refund({ gatewayPaymentId: status.gatewayPaymentId, amount: part, idempotencyKey: key });
      const retried = await g.adapter().refund({ gatewayPaymentId: status.gatewayPaymentId, amount: part, idempotencyKey: key });
      expect(retried.refundId).toBe(first.refundId);
      const rest = await g.adapter().refund({ gatewayPaymentId: status.gatewayPaymentId, amount: p.amount - part, idempotencyKey: `rf_contract_${p.paymentId}_b` });
      expect(rest.refundId).not.toBe(first.refundId);
      expect(g.refundsMade().slice(made)).toEqual([part, p.amount - part]);
      // Paid at the gateway without a webhook: the status check confirms the order meanwhile.
      expect(await eventually(() => g.order(p.orderId), (o) => o.status === 'confirmed', g.statusCheckAfterMs + 5_000)).toMatchObject({ status: 'confirmed' });
    });

    it('sends a staff refund of a paid order back through the gateway that took it', async () => {
      const g = get();
      const p = await g.start();
      const paymentRef = await g.payAtGateway(p);
      expect((await g.webhook('captured', p, { paymentRef })).body).toEqual({ status: 'processed' });
      const made = g.refundsMade().length;
      const refunded = await g.staffRefund(p.orderId);
      expect(refunded.status).toBe(200);
      expect(refunded.body.order).toMatchObject({ status: 'refunded', paymentStatus: 'refunded' });
      expect(g.refundsMade().slice(made)).toEqual([p.amount]);
    });

    it('confirms a payment whose webhook was lost by the status check, within the configured time', async () => {
      const g = get();
      const p = await g.start();
      const startedAt = Date.now();
      const before = await g.confirmedMetric('status_check');
      await g.payAtGateway(p);
      const order = await eventually(() => g.order(p.orderId), (o) => o.status === 'confirmed', g.statusCheckAfterMs + 5_000);
      expect(order).toEqual({ status: 'confirmed', paymentStatus: 'success' });
      // The first check is due `after` the start; the job looks every quarter of that (≤ 5 s).
      expect(Date.now() - startedAt).toBeLessThan(g.statusCheckAfterMs * 1.25 + 1_500);
      expect(await g.confirmations(p.orderId)).toBe(1);
      // At least this one (a payment of an earlier test may be confirmed by a check meanwhile).
      expect(await g.confirmedMetric('status_check')).toBeGreaterThanOrEqual(before + 1);
    });

    it('confirms once when the webhook and the status check arrive together', async () => {
      const g = get();
      const p = await g.start();
      const startedAt = Date.now();
      const beforeWebhook = await g.confirmedMetric('webhook');
      const beforeCheck = await g.confirmedMetric('status_check');
      const before = beforeWebhook + beforeCheck;
      const paymentRef = await g.payAtGateway(p);
      // Deliver the webhook about when the check is due, several times over, while it runs.
      await new Promise((r) => setTimeout(r, Math.max(0, startedAt + g.statusCheckAfterMs - Date.now())));
      const answers = await Promise.all([0, 1, 2].map(() => g.webhook('captured', p, { paymentRef })));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      await eventually(() => g.order(p.orderId), (o) => o.status === 'confirmed', 5_000);
      // A check claimed before the webhook committed finishes its round: it either confirmed
      // (counted) or found the payment final and stopped checking; unclaimed, none can start now.
      const beforeChecks = beforeCheck;
      const settled = await eventually(
        async () => ({ row: await g.paymentRow(p.paymentId), byCheck: await g.confirmedMetric('status_check') }),
        ({ row, byCheck }) => row.status !== 'pending' && (row.checkAttempts === 0 || row.nextCheckAt === null || byCheck > beforeChecks),
        g.statusCheckAfterMs + 2_000,
      );
      expect(settled.row.status).toBe('success');
      expect(await g.confirmations(p.orderId)).toBe(1);
      expect((await g.confirmedMetric('webhook')) + (await g.confirmedMetric('status_check'))).toBe(before + 1);
      expect(await g.order(p.orderId)).toEqual({ status: 'confirmed', paymentStatus: 'success' });
      // Paid once: nothing was taken as a second capture and sent back.
      expect(await g.surplusRefunds(p.orderId)).toBe(0);
    });

    it('reports a gateway that does not answer as GatewayError', async () => {
      const g = get();
      if (g.name === 'simulated') return;
      await expect(g.adapter().status('no_such_order_at_all')).rejects.toBeInstanceOf(GatewayError);
    });
  });
}
