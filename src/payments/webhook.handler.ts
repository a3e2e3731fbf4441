import { createHash } from 'node:crypto';
import { invoiceColumns } from '../invoices/invoice-numbers.js';
import { appError } from '../http/errors.js';
import type { Transaction } from '../db/executor.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { OrderEvents } from '../orders/order.events.js';
import type { OrderRepository } from '../orders/order.repository.js';
import { toOrderView, type OrderRecord } from '../orders/order.view.js';
import { emitPaymentStatus } from './payment.events.js';
import type { PaymentRepository, PaymentRow } from './payment.repository.js';
import { nextPaymentStatus } from './payment.state.js';
import type { Refunds } from './refunds.js';
import type { GatewayEvent } from './payment.gateway.js';
import { EVENT_ID, verifyWebhookSignature, webhookSchema, type GatewayWebhook } from './webhook.js';

export type WebhookResult =
  | { status: 'processed' }
  | { status: 'duplicate' }
  /** Valid and recorded, but nothing changed; `reason` says why (also in webhook_events). */
  | { status: 'ignored'; reason: string };

interface Deps {
  uow: UnitOfWork;
  orderEvents: OrderEvents;
  clock: () => Date;
  webhookSecret: string;
  alert: (message: string, fields: Record<string, unknown>) => void;
  orders: OrderRepository;
  payments: PaymentRepository;
  refunds: Refunds;
  /** Called after a commit that confirmed an order (counts payments confirmed by source). */
  onConfirmed?: (source: ConfirmationSource) => void;
}

type Outcome = { changed: true; confirmed?: boolean } | { changed: false; reason: string; alert?: Record<string, unknown> };
type CapturedEvent = Extract<GatewayEvent, { kind: 'captured' }>;

/** How a payment's outcome was learnt: the gateway's webhook, or the background status check asking it. */
export type ConfirmationSource = 'webhook' | 'status_check';

/**
 * Payment events of every gateway. Razorpay's (and the simulated gateway's) webhook is read
 * here (`handle`); Cashfree's and PhonePe's by their adapters (`parseWebhook`); the status check
 * makes its own; all of them arrive at `apply` in one shape (GatewayEvent). Contract:
 * - the signature is checked first, in constant time; a bad one is a 400 and changes nothing;
 * - each event id is processed once: its row in webhook_events commits with the changes it
 *   caused, so a replay (even a concurrent one) is answered `duplicate` and changes nothing;
 * - an amount or currency different from the payment's changes nothing and raises an alert;
 * - every change takes the order's row lock first and commits with its events, so webhooks,
 *   staff actions and jobs on any number of processes apply one after another, each seeing
 *   what the previous one committed;
 * - the order follows one attempt (`live_payment_id`): a failure of any other changes nothing;
 *   the first capture pays the order and any capture it cannot take (a second one, or one after
 *   the order was cancelled) is refunded automatically.
 */
export class WebhookHandler {
  constructor(private readonly deps: Deps) {}

  /** Razorpay's (and the simulated gateway's) webhook at `POST /api/payments/webhook`. */
  async handle(rawBody: Buffer, signature: string | undefined, eventId: string | undefined): Promise<WebhookResult> {
    if (!verifyWebhookSignature(rawBody, signature, this.deps.webhookSecret)) {
      throw appError('bad_request', 'Invalid webhook signature.');
    }
    const webhook = parse(rawBody);
    if (eventId !== undefined && eventId !== '' && !EVENT_ID.test(eventId)) throw appError('bad_request', 'The webhook event id is malformed.');
    // Razorpay always sends an event id; without one, the body itself identifies the event.
    const id = eventId || `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
    return this.apply(razorpayEvent(id, webhook), 'webhook');
  }

  /**
   * Applies one gateway event, whichever gateway's format it came in and whether a webhook or
   * the status check learnt it: the same rules, the same locks, the same events.
   */
  async apply(event: GatewayEvent, source: ConfirmationSource): Promise<WebhookResult> {
    const now = this.deps.clock();
    const outcome = await this.deps.uow.write(async (trx): Promise<Outcome | 'duplicate'> => {
      // A concurrent delivery of the same id waits here for the first one's commit, then sees it.
      // Recorded as processed, the usual outcome (one statement fewer); corrected below when it is
      // not. Nobody sees the row before the commit, which carries the final outcome.
      if (!(await this.deps.payments.recordWebhookEvent(trx, event.id, now.toISOString(), 'processed'))) return 'duplicate';
      const result = await this.applyLocked(trx, event, now);
      if (!result.changed) await this.deps.payments.setWebhookOutcome(trx, event.id, `ignored: ${result.reason}`);
      return result;
    });
    if (outcome === 'duplicate') return { status: 'duplicate' };
    if (outcome.changed) {
      if (outcome.confirmed) this.deps.onConfirmed?.(source);
      return { status: 'processed' };
    }
    if (outcome.alert) this.deps.alert(`payment webhook ignored: ${outcome.reason}`, { eventId: event.id, event: event.kind, source, ...outcome.alert });
    return { status: 'ignored', reason: outcome.reason };
  }

  private async applyLocked(trx: Transaction, event: GatewayEvent, now: Date): Promise<Outcome> {
    if (event.kind === 'other') return { changed: false, reason: `event ${event.name} not handled` };
    // The order first (found by its payment in the same statement), then the payment under its lock.
    const record = await this.deps.orders.lock(trx, { gatewayOrderId: event.gatewayOrderId });
    const payment = record && (await this.deps.payments.findByGatewayOrderId(event.gatewayOrderId, trx));
    if (!record || !payment) return { changed: false, reason: 'unknown gateway order', alert: { gatewayOrderId: event.gatewayOrderId } };
    if (event.kind !== 'refunded' && event.currency !== payment.currency) {
      return { changed: false, reason: 'currency mismatch', alert: { orderId: record.row.id, expected: payment.currency, received: event.currency ?? null } };
    }
    switch (event.kind) {
      case 'captured':
        return this.captured(trx, record, payment, event, now);
      case 'failed':
        return this.failed(trx, record, payment, now);
      case 'refunded': {
        if (event.currency !== undefined && event.currency !== payment.currency) {
          return { changed: false, reason: 'currency mismatch', alert: { orderId: record.row.id, expected: payment.currency, received: event.currency } };
        }
        const paymentId = event.refund.paymentId ?? payment.gateway_payment_id;
        if (!paymentId) return { changed: false, reason: 'refund of a payment never captured', alert: { orderId: record.row.id } };
        return this.deps.refunds.gatewayRefunded(trx, record, payment, { id: event.refund.id, paymentId, amount: event.refund.amount }, now);
      }
    }
  }

  private async captured(trx: Transaction, record: OrderRecord, payment: PaymentRow, event: CapturedEvent, now: Date): Promise<Outcome> {
    const entity = { id: event.gatewayPaymentId, amount: event.amount };
    if (entity.amount !== payment.amount || entity.amount !== record.row.amount) {
      return {
        changed: false,
        reason: 'amount mismatch',
        alert: { orderId: record.row.id, expected: payment.amount, received: entity.amount, gatewayPaymentId: entity.id },
      };
    }
    const at = now.toISOString();
    const next = nextPaymentStatus(payment.status, 'capture');
    if (!next) {
      if (payment.gateway_payment_id === entity.id) return { changed: false, reason: `payment is already ${payment.status}` };
      // A second payment captured on the same gateway order: the order is paid once.
      const refunding = await this.deps.refunds.refundSurplus(trx, record, payment, entity.id, now);
      return refunding ? { changed: true } : { changed: false, reason: 'surplus capture already being refunded' };
    }
    await this.deps.payments.update(trx, payment.id, { status: next, gateway_payment_id: entity.id, updated_at: at });
    if (record.row.status !== 'placed' || record.row.payment_status === 'success') {
      // Paid by another attempt already, or cancelled before the money came: it goes back.
      await this.deps.refunds.refundSurplus(trx, record, payment, entity.id, now);
      return { changed: true };
    }
    const row = {
      ...record.row,
      status: 'confirmed' as const,
      payment_status: 'success' as const,
      confirmed_at: at,
      live_payment_id: payment.id,
      // Its invoice, in this transaction: a rollback gives the number back (no gap).
      ...(await invoiceColumns(trx, record.row.theatre_id, now)),
      updated_at: at,
    };
    await this.deps.orders.update(trx, row.id, {
      status: row.status,
      payment_status: row.payment_status,
      confirmed_at: row.confirmed_at,
      live_payment_id: row.live_payment_id,
      invoice_number: row.invoice_number,
      invoiced_at: row.invoiced_at,
      invoice_seller: row.invoice_seller,
      updated_at: at,
    });
    const order = toOrderView({ row, items: record.items });
    await emitPaymentStatus(trx, order, 'success', payment.gateway, now);
    await this.deps.orderEvents.emit(trx, 'order.confirmed', order, now);
    return { changed: true, confirmed: true };
  }

  private async failed(trx: Transaction, record: OrderRecord, payment: PaymentRow, now: Date): Promise<Outcome> {
    const next = nextPaymentStatus(payment.status, 'fail');
    if (!next) return { changed: false, reason: `payment is already ${payment.status}` };
    const at = now.toISOString();
    await this.deps.payments.update(trx, payment.id, { status: next, updated_at: at });
    const live = record.row.live_payment_id === null ? (await this.deps.payments.latestForOrder(record.row.id, trx))?.id === payment.id : record.row.live_payment_id === payment.id;
    // Only the attempt the order follows moves it; the order stays placed so the guest can retry.
    if (!live || record.row.status !== 'placed' || record.row.payment_status === 'success') return { changed: true };
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

/** A Razorpay webhook in the handler's one shape. */
function razorpayEvent(id: string, webhook: GatewayWebhook): GatewayEvent {
  const entity = webhook.payload.payment?.entity;
  if (!entity) return { id, kind: 'other', name: webhook.event };
  const base = { id, gatewayOrderId: entity.order_id, currency: entity.currency };
  switch (webhook.event) {
    case 'payment.captured':
      return { ...base, kind: 'captured', gatewayPaymentId: entity.id, amount: entity.amount };
    case 'payment.failed':
      return { ...base, kind: 'failed' };
    case 'refund.processed': {
      const refund = webhook.payload.refund?.entity;
      if (!refund) return { id, kind: 'other', name: 'refund.processed without refund entity' };
      return { id, kind: 'refunded', gatewayOrderId: entity.order_id, currency: refund.currency, refund: { id: refund.id, paymentId: refund.payment_id, amount: refund.amount } };
    }
    default:
      return { id, kind: 'other', name: webhook.event };
  }
}
