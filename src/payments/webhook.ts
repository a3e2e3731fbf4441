import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Hex HMAC-SHA256 of the raw body: Razorpay's X-Razorpay-Signature. */
export function signWebhook(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** Constant-time check of a webhook signature header against the raw body. */
export function verifyWebhookSignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (!header || !/^[0-9a-f]{64}$/i.test(header)) return false;
  return timingSafeEqual(Buffer.from(header, 'hex'), Buffer.from(signWebhook(rawBody, secret), 'hex'));
}

/**
 * Gateway ids (`pay_…`, `order_…`, `rfnd_…`) and event names are short words: anything else is
 * not from a gateway, and refusing it here keeps NUL and the like out of the database (where
 * PostgreSQL would fail on it).
 */
const gatewayId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);
const eventName = z.string().regex(/^[a-z_.]{1,64}$/);
const amount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const currency = z.string().regex(/^[A-Z]{3}$/);

/** The part of a Razorpay webhook we use; everything else is allowed and ignored. */
const paymentEntity = z.looseObject({
  id: gatewayId,
  order_id: gatewayId,
  amount,
  currency: currency.optional(),
  status: z.string().max(64),
});

export const webhookSchema = z.looseObject({
  event: eventName,
  payload: z.looseObject({
    payment: z.looseObject({ entity: paymentEntity }).optional(),
    refund: z.looseObject({ entity: z.looseObject({ id: gatewayId, payment_id: gatewayId, amount, currency: currency.optional() }) }).optional(),
  }),
});

/** X-Razorpay-Event-Id: printable, bounded (it is stored to recognise a replay). */
export const EVENT_ID = /^[\x21-\x7e]{1,200}$/;

export type GatewayWebhook = z.infer<typeof webhookSchema>;
export type PaymentEntity = z.infer<typeof paymentEntity>;

export type WebhookEventName = 'payment.captured' | 'payment.failed' | 'refund.processed';

/**
 * Builds a signed webhook exactly as Razorpay would send it: the simulated gateway's checkout
 * posts this to the same endpoint a real gateway calls, and tests use it too.
 */
export function buildWebhook(opts: {
  event: WebhookEventName;
  gatewayOrderId: string;
  gatewayPaymentId: string;
  amount: number;
  secret: string;
  eventId: string;
  at: Date;
  refundId?: string;
}): { rawBody: string; signature: string; eventId: string } {
  const createdAt = Math.floor(opts.at.getTime() / 1000);
  const status = { 'payment.captured': 'captured', 'payment.failed': 'failed', 'refund.processed': 'refunded' }[opts.event];
  const payment = {
    id: opts.gatewayPaymentId,
    entity: 'payment',
    amount: opts.amount,
    currency: 'INR',
    status,
    order_id: opts.gatewayOrderId,
    method: 'upi',
    captured: opts.event !== 'payment.failed',
    amount_refunded: opts.event === 'refund.processed' ? opts.amount : 0,
    error_code: opts.event === 'payment.failed' ? 'BAD_REQUEST_ERROR' : null,
    error_description: opts.event === 'payment.failed' ? 'Payment failed' : null,
    created_at: createdAt,
  };
  const payload: Record<string, unknown> = { payment: { entity: payment } };
  if (opts.event === 'refund.processed') {
    payload.refund = {
      entity: {
        id: opts.refundId ?? `rfnd_${opts.eventId}`,
        entity: 'refund',
        amount: opts.amount,
        currency: 'INR',
        payment_id: opts.gatewayPaymentId,
        status: 'processed',
        created_at: createdAt,
      },
    };
  }
  const body = {
    entity: 'event',
    account_id: 'acc_simulated',
    event: opts.event,
    contains: Object.keys(payload),
    payload,
    created_at: createdAt,
  };
  const rawBody = JSON.stringify(body);
  return { rawBody, signature: signWebhook(rawBody, opts.secret), eventId: opts.eventId };
}
