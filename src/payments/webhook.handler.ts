import { createHash } from 'node:crypto';
import { isUniqueViolation } from '../db/dialect.js';
import { appError } from '../http/errors.js';
import { emitOrderEvent } from '../orders/order.events.js';
import type { OrderRepository } from '../orders/order.repository.js';
import { toOrderView, type OrderRecord } from '../orders/order.view.js';
import type { Executor } from '../streams/event.repository.js';
import { emitPaymentStatus, recordRefund } from './payment.events.js';
import type { PaymentRepository, PaymentRow } from './payment.repository.js';
import { nextPaymentStatus } from './payment.state.js';
import { verifyWebhookSignature, webhookSchema, type GatewayWebhook } from './webhook.js';

export type WebhookResult =
  | { status: 'processed' }
  | { status: 'duplicate' }
  /** Valid and recorded, but nothing changed; `reason` says why (also in webhook_events). */
  | { status: 'ignored'; reason: string };

interface Deps {
  db: Executor;
  clock: () => Date;
  webhookSecret: string;
  alert: (message: string, fields: Record<string, unknown>) => void;
  orders: OrderRepository;
  payments: PaymentRepository;
}

type Outcome = { changed: true } | { changed: false; reason: string; alert?: Record<string, unknown> };

/**
 * Razorpay-style payment webhooks. Contract:
 * - the signature is checked first, in constant time; a bad one is a 400 and changes nothing;
 * - each event id is processed once: its row in webhook_events commits with the changes it
 *   caused, so a replay (even a concurrent one) is answered `duplicate` and changes nothing;
 * - a captured amount different from the order's changes nothing and raises an alert;
 * - every change and its events commit in one transaction.
 */
export class WebhookHandler {
  constructor(private readonly deps: Deps) {}

  async handle(rawBody: Buffer, signature: string | undefined, eventId: string | undefined): Promise<WebhookResult> {
    if (!verifyWebhookSignature(rawBody, signature, this.deps.webhookSecret)) {
      throw appError('bad_request', 'Invalid webhook signature.');
    }
    const webhook = parse(rawBody);
    // Razorpay always sends an event id; without one, the body itself identifies the event.
    const id = eventId || `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
    const now = this.deps.clock();
    let outcome: Outcome;
    try {
      outcome = await this.deps.db.transaction().execute(async (trx) => {
        await this.deps.payments.recordWebhookEvent(trx, id, now.toISOString(), 'processing');
        const result = await this.apply(trx, webhook, now);
        await this.deps.payments.setWebhookOutcome(trx, id, result.changed ? 'processed' : `ignored: ${result.reason}`);
        return result;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return { status: 'duplicate' };
      throw err;
    }
    if (outcome.changed) return { status: 'processed' };
    if (outcome.alert) this.deps.alert(`payment webhook ignored: ${outcome.reason}`, { eventId: id, event: webhook.event, ...outcome.alert });
    return { status: 'ignored', reason: outcome.reason };
  }

  private async apply(trx: Executor, webhook: GatewayWebhook, now: Date): Promise<Outcome> {
    const entity = webhook.payload.payment?.entity;
    if (!entity) return { changed: false, reason: 'no payment entity' };
    const payment = await this.deps.payments.findByGatewayOrderId(entity.order_id, trx);
    if (!payment) return { changed: false, reason: 'unknown gateway order', alert: { gatewayOrderId: entity.order_id } };
    const record = await this.deps.orders.find(payment.order_id, trx);
    if (!record) return { changed: false, reason: 'payment without order', alert: { paymentId: payment.id } };
    switch (webhook.event) {
      case 'payment.captured':
        return this.captured(trx, record, payment, entity, now);
      case 'payment.failed':
        return this.failed(trx, record, payment, now);
      case 'refund.processed':
        if (payment.status === 'refunded') return { changed: false, reason: 'already refunded' };
        if (!nextPaymentStatus(payment.status, 'refund')) return { changed: false, reason: `payment is ${payment.status}`, alert: { paymentId: payment.id } };
        await recordRefund(trx, this.deps, record, payment, now);
        return { changed: true };
      default:
        return { changed: false, reason: `event ${webhook.event} not handled` };
    }
  }

  private async captured(
    trx: Executor,
    record: OrderRecord,
    payment: PaymentRow,
    entity: { id: string; amount: number },
    now: Date,
  ): Promise<Outcome> {
    if (entity.amount !== record.row.amount || entity.amount !== payment.amount) {
      return {
        changed: false,
        reason: 'amount mismatch',
        alert: { orderId: record.row.id, expected: record.row.amount, received: entity.amount, gatewayPaymentId: entity.id },
      };
    }
    const next = nextPaymentStatus(payment.status, 'capture');
    if (!next) return { changed: false, reason: `payment is already ${payment.status}` };
    const at = now.toISOString();
    await this.deps.payments.update(trx, payment.id, { status: next, gateway_payment_id: entity.id, updated_at: at });
    const placed = record.row.status === 'placed';
    const row = {
      ...record.row,
      payment_status: 'success' as const,
      updated_at: at,
      ...(placed ? { status: 'confirmed' as const, confirmed_at: at } : {}),
    };
    await this.deps.orders.update(trx, row.id, {
      status: row.status,
      payment_status: row.payment_status,
      confirmed_at: row.confirmed_at,
      updated_at: at,
    });
    const order = toOrderView({ row, items: record.items });
    await emitPaymentStatus(trx, order, 'success', payment.gateway, now);
    if (placed) {
      await emitOrderEvent(trx, 'order.confirmed', order, now);
    } else {
      // Paid after it was cancelled: the money is in, the order will not be served. Staff refund it.
      this.deps.alert('payment captured for an order that is not awaiting payment', { orderId: row.id, status: row.status });
    }
    return { changed: true };
  }

  private async failed(trx: Executor, record: OrderRecord, payment: PaymentRow, now: Date): Promise<Outcome> {
    const next = nextPaymentStatus(payment.status, 'fail');
    if (!next) return { changed: false, reason: `payment is already ${payment.status}` };
    const at = now.toISOString();
    await this.deps.payments.update(trx, payment.id, { status: next, updated_at: at });
    // The order stays placed, so the guest can try again with a new payment.
    const row = { ...record.row, payment_status: 'failed' as const, updated_at: at };
    await this.deps.orders.update(trx, row.id, { payment_status: row.payment_status, updated_at: at });
    await emitPaymentStatus(trx, toOrderView({ row, items: record.items }), 'failed', payment.gateway, now);
    return { changed: true };
  }
}

function parse(rawBody: Buffer): GatewayWebhook {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw appError('bad_request', 'The webhook body is not JSON.');
  }
  const result = webhookSchema.safeParse(json);
  if (!result.success) throw appError('bad_request', 'The webhook body is not a payment event.');
  return result.data;
}
