import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { appError } from '../http/errors.js';
import { callJson, headerOf, joinPaymentId, orderOfPaymentId, paiseFromRupees, safeEqual, SAFE_ID } from './gateway-http.js';
import {
  GatewayError,
  type CreateOrderRequest,
  type CreatedOrder,
  type GatewayEvent,
  type GatewayOrderStatus,
  type PaymentGateway,
  type RefundRequest,
  type WebhookParser,
} from './payment.gateway.js';

export const CASHFREE_API_BASE = 'https://api.cashfree.com/pg';
export const CASHFREE_API_VERSION = '2023-08-01';
/** Cashfree's JS SDK, loaded by the checkout page from Cashfree's own origin. */
export const CASHFREE_SDK_URL = 'https://sdk.cashfree.com/js/v3/cashfree.js';
/** A webhook older than this by its own timestamp is refused like a bad signature (a replay). */
export const CASHFREE_WEBHOOK_MAX_AGE_MS = 5 * 60_000;

export interface CashfreeOptions {
  appId: string;
  secretKey: string;
  /** Defaults to the production API; https://sandbox.cashfree.com/pg for the sandbox; tests point it at a fake. */
  apiBase?: string;
  timeoutMs?: number;
  newId: () => string;
}

const money = z.union([z.number(), z.string()]);
const webhookSchema = z.looseObject({
  type: z.string().regex(/^[A-Z_]{1,64}$/),
  data: z.looseObject({
    order: z.looseObject({ order_id: z.string().regex(SAFE_ID), order_amount: money.optional(), order_currency: z.string().optional() }).optional(),
    payment: z
      .looseObject({
        cf_payment_id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(SAFE_ID)),
        payment_status: z.string().max(64),
        payment_amount: money,
        payment_currency: z.string().regex(/^[A-Z]{3}$/).optional(),
      })
      .optional(),
    refund: z
      .looseObject({
        cf_refund_id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(SAFE_ID)),
        cf_payment_id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(SAFE_ID)),
        order_id: z.string().regex(SAFE_ID),
        refund_amount: money,
        refund_currency: z.string().regex(/^[A-Z]{3}$/).optional(),
        refund_status: z.string().max(64),
      })
      .optional(),
  }),
});

/**
 * Cashfree Payment Gateway (PG API, version 2023-08-01): `x-client-id` / `x-client-secret`
 * headers; orders are created with our own `order_id` (the gatewayOrderId) and paid on
 * Cashfree's checkout opened by its JS SDK with the order's `payment_session_id`. Amounts are
 * rupees on the wire and paise here. Webhooks: `x-webhook-signature` = base64 HMAC-SHA256 of
 * `x-webhook-timestamp` + raw body with the secret key; older than 5 minutes is refused.
 * Gateway payment ids are `<order_id>:<cf_payment_id>` (refunds go by order).
 */
export class CashfreeGateway implements PaymentGateway, WebhookParser {
  readonly name = 'cashfree' as const;
  private readonly apiBase: string;

  constructor(private readonly opts: CashfreeOptions) {
    this.apiBase = (opts.apiBase ?? CASHFREE_API_BASE).replace(/\/+$/, '');
  }

  /** `sandbox` or `production`, for the JS SDK: the sandbox API means the sandbox checkout. */
  get mode(): 'sandbox' | 'production' {
    return /sandbox/.test(this.apiBase) ? 'sandbox' : 'production';
  }

  async createOrder(req: CreateOrderRequest): Promise<CreatedOrder> {
    const orderId = `cf_${this.opts.newId().replace(/-/g, '')}`.slice(0, 45);
    const digits = (req.customerPhone ?? '').replace(/\D/g, '').slice(-10);
    const body = await this.call('POST', '/orders', {
      order_id: orderId,
      order_amount: req.amount / 100,
      order_currency: req.currency,
      customer_details: { customer_id: `guest_${digits || 'anonymous'}`, customer_phone: digits.length === 10 ? digits : '9999999999' },
      order_meta: req.returnUrl ? { return_url: req.returnUrl } : {},
      order_note: req.receipt,
    });
    if (body.order_id !== orderId || typeof body.payment_session_id !== 'string') throw new GatewayError('Cashfree order answer has no order_id or payment_session_id');
    return { gatewayOrderId: orderId, checkoutRef: body.payment_session_id };
  }

  /**
   * `POST /orders/{order_id}/refunds` with our idempotency key as `refund_id`: Cashfree refuses a
   * second refund with the same id, so a retry then reads the refund the first attempt made.
   */
  async refund(req: RefundRequest): Promise<{ refundId: string }> {
    const orderId = orderOfPaymentId(req.gatewayPaymentId);
    const path = `/orders/${encodeURIComponent(orderId)}/refunds`;
    try {
      const body = await this.call('POST', path, { refund_amount: req.amount / 100, refund_id: req.idempotencyKey, refund_note: 'scan2food refund' });
      return { refundId: refundIdOf(body) };
    } catch (err) {
      if (!(err instanceof GatewayError) || (err.status !== 409 && err.status !== 400)) throw err;
      const earlier = await this.call('GET', `${path}/${encodeURIComponent(req.idempotencyKey)}`).catch(() => null);
      if (!earlier) throw err;
      if (paiseFromRupees(earlier.refund_amount) !== req.amount) throw new GatewayError('Cashfree: a refund with this id exists for another amount', 400);
      return { refundId: refundIdOf(earlier) };
    }
  }

  /** `GET /orders/{order_id}`: PAID (then its successful payment), EXPIRED or TERMINATED is final. */
  async status(gatewayOrderId: string): Promise<GatewayOrderStatus> {
    const order = await this.call('GET', `/orders/${encodeURIComponent(gatewayOrderId)}`);
    if (order.order_status === 'EXPIRED' || order.order_status === 'TERMINATED') return { state: 'failed' };
    if (order.order_status !== 'PAID') return { state: 'pending' };
    const payments = await this.call('GET', `/orders/${encodeURIComponent(gatewayOrderId)}/payments`);
    const list = Array.isArray(payments.value) ? (payments.value as Array<Record<string, unknown>>) : [];
    const paid = list.find((p) => p.payment_status === 'SUCCESS');
    if (!paid || paid.cf_payment_id === undefined) return { state: 'pending' };
    return {
      state: 'paid',
      gatewayPaymentId: joinPaymentId(gatewayOrderId, String(paid.cf_payment_id)),
      amount: paiseFromRupees(paid.payment_amount),
      currency: String(paid.payment_currency ?? order.order_currency ?? ''),
    };
  }

  checkoutUrl(paymentId: number): string {
    return `/pay/cashfree/${paymentId}`;
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, now: Date): GatewayEvent {
    const timestamp = headerOf(headers, 'x-webhook-timestamp');
    const signature = headerOf(headers, 'x-webhook-signature');
    if (!timestamp || !signature || !/^\d{1,16}$/.test(timestamp)) throw appError('bad_request', 'Invalid webhook signature.');
    const expected = createHmac('sha256', this.opts.secretKey).update(timestamp).update(rawBody).digest('base64');
    if (!safeEqual(signature, expected)) throw appError('bad_request', 'Invalid webhook signature.');
    // Cashfree's timestamps are milliseconds; accept seconds too.
    const sentMs = timestamp.length >= 12 ? Number(timestamp) : Number(timestamp) * 1000;
    if (Math.abs(now.getTime() - sentMs) > CASHFREE_WEBHOOK_MAX_AGE_MS) throw appError('bad_request', 'Invalid webhook signature (stale timestamp).');
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw appError('bad_request', 'The webhook body is not JSON.');
    }
    const parsed = webhookSchema.safeParse(json);
    if (!parsed.success) throw appError('bad_request', 'The webhook body is not a payment event.');
    return cashfreeEvent(parsed.data);
  }

  private call(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<Record<string, unknown>> {
    return callJson(
      'Cashfree',
      this.apiBase + path,
      {
        method,
        headers: {
          'x-client-id': this.opts.appId,
          'x-client-secret': this.opts.secretKey,
          'x-api-version': CASHFREE_API_VERSION,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        ...(this.opts.timeoutMs ? { timeoutMs: this.opts.timeoutMs } : {}),
      },
      // Cashfree errors: {"message":"...","code":"...","type":"invalid_request_error"}
      (b) => `${String(b.code ?? '')} ${String(b.message ?? 'no message')}`,
    );
  }
}

function refundIdOf(body: Record<string, unknown>): string {
  const id = body.cf_refund_id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new GatewayError('Cashfree refund answer has no cf_refund_id');
  return String(id);
}

type CashfreeWebhook = z.infer<typeof webhookSchema>;

function cashfreeEvent(w: CashfreeWebhook): GatewayEvent {
  const { order, payment, refund } = w.data;
  if (w.type === 'REFUND_STATUS_WEBHOOK' && refund) {
    const id = `cashfree:refund:${refund.cf_refund_id}:${refund.refund_status}`;
    if (refund.refund_status !== 'SUCCESS') return { id, kind: 'other', name: `refund ${refund.refund_status}` };
    return {
      id,
      kind: 'refunded',
      gatewayOrderId: refund.order_id,
      currency: refund.refund_currency,
      refund: { id: refund.cf_refund_id, paymentId: joinPaymentId(refund.order_id, refund.cf_payment_id), amount: paiseFromRupees(refund.refund_amount) },
    };
  }
  if (!order || !payment) return { id: `cashfree:${w.type}:${order?.order_id ?? 'none'}`, kind: 'other', name: w.type };
  const id = `cashfree:${w.type}:${payment.cf_payment_id}`;
  const currency = payment.payment_currency ?? order.order_currency;
  switch (w.type) {
    case 'PAYMENT_SUCCESS_WEBHOOK':
      if (payment.payment_status !== 'SUCCESS') return { id, kind: 'other', name: `${w.type} ${payment.payment_status}` };
      return { id, kind: 'captured', gatewayOrderId: order.order_id, gatewayPaymentId: joinPaymentId(order.order_id, payment.cf_payment_id), amount: paiseFromRupees(payment.payment_amount), currency };
    case 'PAYMENT_FAILED_WEBHOOK':
    case 'PAYMENT_USER_DROPPED_WEBHOOK':
      return { id, kind: 'failed', gatewayOrderId: order.order_id, currency };
    default:
      return { id, kind: 'other', name: w.type };
  }
}

/** Signs a webhook body as Cashfree does (tests and the fake). */
export function signCashfreeWebhook(rawBody: string, timestamp: string, secretKey: string): string {
  return createHmac('sha256', secretKey).update(timestamp).update(rawBody).digest('base64');
}
