import { createHash } from 'node:crypto';
import { z } from 'zod';
import { appError } from '../http/errors.js';
import { callJson, headerOf, joinPaymentId, orderOfPaymentId, safeEqual, SAFE_ID } from './gateway-http.js';
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

export const PHONEPE_API_BASE = 'https://api.phonepe.com/apis/pg';
/** Production issues tokens from its identity manager; the sandbox (and the fake) at `<api base>/v1/oauth/token`. */
const PHONEPE_PRODUCTION_TOKEN_URL = 'https://api.phonepe.com/apis/identity-manager/v1/oauth/token';

export interface PhonePeOptions {
  clientId: string;
  clientSecret: string;
  clientVersion?: string;
  /** Defaults to production; https://api-preprod.phonepe.com/apis/pg-sandbox for the sandbox; tests point it at a fake. */
  apiBase?: string;
  webhookUsername: string;
  webhookPassword: string;
  timeoutMs?: number;
  newId: () => string;
  /** Epoch ms (the token's expiry is checked against it). */
  now?: () => number;
}

const paymentDetail = z.looseObject({ transactionId: z.string().regex(SAFE_ID), state: z.string().max(32), amount: z.number().int().optional() });
const webhookSchema = z.looseObject({
  event: z.string().regex(/^[a-z_.]{1,64}$/).optional(),
  type: z.string().regex(/^[A-Z_]{1,64}$/).optional(),
  payload: z.looseObject({
    merchantOrderId: z.string().regex(SAFE_ID).optional(),
    originalMerchantOrderId: z.string().regex(SAFE_ID).optional(),
    orderId: z.string().regex(SAFE_ID).optional(),
    merchantRefundId: z.string().regex(SAFE_ID).optional(),
    refundId: z.string().regex(SAFE_ID).optional(),
    state: z.string().max(32),
    amount: z.number().int().min(0),
    paymentDetails: z.array(paymentDetail).optional(),
  }),
});

/**
 * PhonePe Standard Checkout (v2): an OAuth token (`POST /v1/oauth/token`, client credentials)
 * sent as `Authorization: O-Bearer <token>`, kept until shortly before it expires; `POST
 * /checkout/v2/pay` with our `merchantOrderId` (the gatewayOrderId) answers the `redirectUrl` of
 * PhonePe's pay page; `GET /checkout/v2/order/{merchantOrderId}/status`; `POST
 * /payments/v2/refund`. Amounts are paise. Webhooks carry `Authorization` = hex SHA-256 of
 * `username:password` as configured at PhonePe. Gateway payment ids are
 * `<merchantOrderId>:<transactionId>` (refunds go by order).
 */
export class PhonePeGateway implements PaymentGateway, WebhookParser {
  readonly name = 'phonepe' as const;
  private readonly apiBase: string;
  private readonly tokenUrl: string;
  private token: { value: string; expiresAtMs: number } | null = null;
  private tokenRequest: Promise<string> | null = null;
  private readonly webhookAuthorization: string;

  constructor(private readonly opts: PhonePeOptions) {
    this.apiBase = (opts.apiBase ?? PHONEPE_API_BASE).replace(/\/+$/, '');
    this.tokenUrl = this.apiBase === PHONEPE_API_BASE ? PHONEPE_PRODUCTION_TOKEN_URL : `${this.apiBase}/v1/oauth/token`;
    this.webhookAuthorization = createHash('sha256').update(`${opts.webhookUsername}:${opts.webhookPassword}`).digest('hex');
  }

  async createOrder(req: CreateOrderRequest): Promise<CreatedOrder> {
    if (!req.returnUrl) throw new GatewayError('PhonePe needs the URL to send the guest back to');
    const merchantOrderId = `pp_${this.opts.newId().replace(/-/g, '')}`.slice(0, 63);
    const body = await this.call('POST', '/checkout/v2/pay', {
      merchantOrderId,
      amount: req.amount,
      metaInfo: { udf1: req.receipt },
      paymentFlow: { type: 'PG_CHECKOUT', message: 'scan2food order', merchantUrls: { redirectUrl: req.returnUrl } },
    });
    if (typeof body.redirectUrl !== 'string' || !/^https?:\/\//.test(body.redirectUrl)) throw new GatewayError('PhonePe pay answer has no redirectUrl');
    return { gatewayOrderId: merchantOrderId, checkoutRef: body.redirectUrl };
  }

  /**
   * `POST /payments/v2/refund` with our idempotency key as `merchantRefundId`; when PhonePe
   * refuses a repeat of that id, the refund the first attempt made is read back instead.
   */
  async refund(req: RefundRequest): Promise<{ refundId: string }> {
    const originalMerchantOrderId = orderOfPaymentId(req.gatewayPaymentId);
    try {
      const body = await this.call('POST', '/payments/v2/refund', { merchantRefundId: req.idempotencyKey, originalMerchantOrderId, amount: req.amount });
      if (typeof body.refundId !== 'string') throw new GatewayError('PhonePe refund answer has no refundId');
      return { refundId: body.refundId };
    } catch (err) {
      if (!(err instanceof GatewayError) || err.status === undefined || err.status < 400 || err.status >= 500 || err.status === 401) throw err;
      const earlier = await this.call('GET', `/payments/v2/refund/${encodeURIComponent(req.idempotencyKey)}/status`).catch(() => null);
      if (!earlier || typeof earlier.refundId !== 'string') throw err;
      if (earlier.amount !== req.amount) throw new GatewayError('PhonePe: a refund with this id exists for another amount', 400);
      return { refundId: earlier.refundId };
    }
  }

  /** `GET /checkout/v2/order/{merchantOrderId}/status`: COMPLETED or FAILED is final. */
  async status(gatewayOrderId: string): Promise<GatewayOrderStatus> {
    const body = await this.call('GET', `/checkout/v2/order/${encodeURIComponent(gatewayOrderId)}/status`);
    if (body.state === 'FAILED') return { state: 'failed' };
    if (body.state !== 'COMPLETED' || typeof body.amount !== 'number') return { state: 'pending' };
    const details = Array.isArray(body.paymentDetails) ? (body.paymentDetails as Array<Record<string, unknown>>) : [];
    return { state: 'paid', gatewayPaymentId: paymentIdOf(gatewayOrderId, details, body.orderId), amount: body.amount, currency: 'INR' };
  }

  checkoutUrl(paymentId: number): string {
    return `/pay/phonepe/${paymentId}`;
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): GatewayEvent {
    const authorization = (headerOf(headers, 'authorization') ?? '').replace(/^SHA256\s+/i, '').trim().toLowerCase();
    if (!authorization || !safeEqual(authorization, this.webhookAuthorization)) throw appError('bad_request', 'Invalid webhook signature.');
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw appError('bad_request', 'The webhook body is not JSON.');
    }
    const parsed = webhookSchema.safeParse(json);
    if (!parsed.success) throw appError('bad_request', 'The webhook body is not a payment event.');
    return phonePeEvent(parsed.data);
  }

  private async accessToken(): Promise<string> {
    const now = (this.opts.now ?? Date.now)();
    if (this.token && this.token.expiresAtMs - 60_000 > now) return this.token.value;
    // One token request at a time; the others wait for it.
    this.tokenRequest ??= this.fetchToken().finally(() => (this.tokenRequest = null));
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const form = new URLSearchParams({
      client_id: this.opts.clientId,
      client_version: this.opts.clientVersion ?? '1',
      client_secret: this.opts.clientSecret,
      grant_type: 'client_credentials',
    });
    const body = await callJson(
      'PhonePe',
      this.tokenUrl,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), ...(this.opts.timeoutMs ? { timeoutMs: this.opts.timeoutMs } : {}) },
      describePhonePeError,
    );
    if (typeof body.access_token !== 'string') throw new GatewayError('PhonePe token answer has no access_token');
    const expiresAtMs = typeof body.expires_at === 'number' ? body.expires_at * 1000 : (this.opts.now ?? Date.now)() + 10 * 60_000;
    this.token = { value: body.access_token, expiresAtMs };
    return body.access_token;
  }

  private async call(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<Record<string, unknown>> {
    const send = async () =>
      callJson(
        'PhonePe',
        this.apiBase + path,
        {
          method,
          headers: { authorization: `O-Bearer ${await this.accessToken()}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
          ...(this.opts.timeoutMs ? { timeoutMs: this.opts.timeoutMs } : {}),
        },
        describePhonePeError,
      );
    try {
      return await send();
    } catch (err) {
      // A token revoked before its expiry: fetch a new one once.
      if (!(err instanceof GatewayError) || err.status !== 401) throw err;
      this.token = null;
      return send();
    }
  }
}

// PhonePe errors: {"code":"BAD_REQUEST","message":"...","data":{}}
const describePhonePeError = (b: Record<string, unknown>) => `${String(b.code ?? b.errorCode ?? '')} ${String(b.message ?? 'no message')}`;

/** The completed attempt's transactionId (else PhonePe's order id) under our merchant order id. */
function paymentIdOf(merchantOrderId: string, details: Array<Record<string, unknown>>, orderId: unknown): string {
  const done = details.filter((d) => d.state === 'COMPLETED' && typeof d.transactionId === 'string').at(-1);
  return joinPaymentId(merchantOrderId, String(done?.transactionId ?? orderId ?? 'order'));
}

type PhonePeWebhook = z.infer<typeof webhookSchema>;

const TYPE_EVENTS: Record<string, string> = {
  CHECKOUT_ORDER_COMPLETED: 'checkout.order.completed',
  CHECKOUT_ORDER_FAILED: 'checkout.order.failed',
  PG_REFUND_COMPLETED: 'pg.refund.completed',
  PG_REFUND_FAILED: 'pg.refund.failed',
  PG_REFUND_ACCEPTED: 'pg.refund.accepted',
};

function phonePeEvent(w: PhonePeWebhook): GatewayEvent {
  const name = w.event ?? TYPE_EVENTS[w.type ?? ''] ?? w.type ?? 'unknown';
  const p = w.payload;
  if (name.startsWith('pg.refund.')) {
    const id = `phonepe:${name}:${p.refundId ?? p.merchantRefundId ?? 'none'}`;
    if (name !== 'pg.refund.completed' || !p.refundId || !p.originalMerchantOrderId) return { id, kind: 'other', name };
    return { id, kind: 'refunded', gatewayOrderId: p.originalMerchantOrderId, currency: 'INR', refund: { id: p.refundId, amount: p.amount } };
  }
  const id = `phonepe:${name}:${p.orderId ?? p.merchantOrderId ?? 'none'}`;
  if (!p.merchantOrderId) return { id, kind: 'other', name };
  if (name === 'checkout.order.completed' && p.state === 'COMPLETED') {
    return { id, kind: 'captured', gatewayOrderId: p.merchantOrderId, gatewayPaymentId: paymentIdOf(p.merchantOrderId, p.paymentDetails ?? [], p.orderId), amount: p.amount, currency: 'INR' };
  }
  if (name === 'checkout.order.failed') return { id, kind: 'failed', gatewayOrderId: p.merchantOrderId, currency: 'INR' };
  return { id, kind: 'other', name };
}

/** The `Authorization` PhonePe sends with webhooks (tests and the fake). */
export function phonePeWebhookAuthorization(username: string, password: string): string {
  return createHash('sha256').update(`${username}:${password}`).digest('hex');
}
