import { canSeeTheatre, type Actor } from '../accounts/actor.js';
import { appError } from '../http/errors.js';
import { SerialJob } from '../jobs/serial-job.js';
import type { OrderRepository } from '../orders/order.repository.js';
import { nextOrderStatus } from '../orders/order.state.js';
import { toOrderView, type OrderRecord, type OrderView } from '../orders/order.view.js';
import type { Transaction } from '../db/executor.js';
import { queueWork, type UnitOfWork } from '../db/unit-of-work.js';
import type { OrderEvents } from '../orders/order.events.js';
import { applyOrderRefunded, emitPaymentStatus } from './payment.events.js';
import { GatewayError, type PaymentGateway } from './payment.gateway.js';
import type { PaymentRepository, PaymentRow } from './payment.repository.js';
import type { GatewayName, RefundReason } from './payment.table.js';
import type { RefundRepository, RefundRow } from './refund.repository.js';
import { takeCreditNoteNumber } from '../invoices/invoice-numbers.js';
import { refundAmountOf, type RefundAsk } from './refund-amount.js';

export type { RefundAsk };

export type Alert = (message: string, fields: Record<string, unknown>) => void;

/**
 * What another feature does in the transaction that completes a refund, under the order's row
 * lock (the guest's open refund request is granted): wired at composition, so payments never
 * import the features they notify.
 */
export interface RefundHooks {
  /** After an accepted refund changed the order, before its payment and order events are written. */
  accepted?: (trx: Transaction, order: OrderView, refund: RefundRow, now: Date) => Promise<void>;
}

/** Who asks for a staff refund, and how much. */
export interface StaffRefund extends RefundAsk {
  /** The acting account (refunds.requested_by). */
  requestedBy?: number | null;
  /** Run under the order lock before the amount is reserved (an approval claims itself here). */
  beforeReserve?: (trx: Transaction, record: OrderRecord) => Promise<void>;
  /** Told the amount reserved (the audit line names it). */
  onReserved?: (amount: number) => void;
}

/** The queue of refunds to send to the gateway: a transaction that records one wakes the refund worker after it commits. */
export const REFUND_QUEUE = 'payments.refunds';

export interface RefundsDeps {
  uow: UnitOfWork;
  orderEvents: OrderEvents;
  clock: () => Date;
  newId: () => string;
  /** The gateway a payment was made through (by the payment's or refund's `gateway`). */
  gateways: (name: GatewayName) => PaymentGateway;
  orders: OrderRepository;
  payments: PaymentRepository;
  refunds: RefundRepository;
  alert: Alert;
}

export interface RefundWorkerOptions {
  pollMs: number;
  /** How long a staff refund is left to its own request before the worker may retry it. */
  staffHoldMs: number;
  /** How long one attempt holds a refund (the gateway call's timeout fits in it). */
  leaseMs: number;
  maxAttempts: number;
  batch: number;
}

export const REFUND_DEFAULTS: RefundWorkerOptions = { pollMs: 5_000, staffHoldMs: 60_000, leaseMs: 30_000, maxAttempts: 10, batch: 20 };

/** The gateway refused for good (bad request, unknown payment): retrying with the same key cannot help. */
function isDefinitive(err: unknown): boolean {
  return err instanceof GatewayError && err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 409 && err.status !== 429;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Every refund goes through here: the staff refund of an order, a refund made at the gateway's
 * dashboard (learnt from its webhook), and the automatic refund of a capture the order did not
 * take (a second capture, or a capture after the order was cancelled unpaid).
 *
 * A refund is first recorded as `pending` with an idempotency key, in a transaction that holds
 * the order's row lock; only then is the gateway called (outside any transaction: money moves
 * before we record that it moved), with that key, so a retry — by the same request, or by the
 * worker after a crash — never refunds twice. Several (partial) refunds may be pending at once;
 * each reserves its amount under the order's row lock against all not failed, so parallel staff
 * refunds never ask the gateway for more than was paid (the rest answer 422, or 409 once the
 * order is refunded in full). Completing it is a conditional update (pending → processed) in the
 * transaction that writes its events, so of the staff request and the gateway's
 * `refund.processed` webhooks exactly one applies it.
 */
export class Refunds {
  readonly job: SerialJob;
  private hooks: RefundHooks = {};

  constructor(
    private readonly deps: RefundsDeps,
    private readonly opts: RefundWorkerOptions = REFUND_DEFAULTS,
    onError: (err: unknown) => void = () => undefined,
  ) {
    this.job = new SerialJob(() => this.retryDue(), { intervalMs: opts.pollMs, runOnStart: true, onError });
  }

  /** Wired at composition (refund requests and approvals), before requests are served. */
  setHooks(hooks: RefundHooks): void {
    this.hooks = hooks;
  }

  /**
   * The staff (or admin) refund of an order's payment: `amount`, or the `items` given back (priced
   * with the order's own totals, tax included), or else what remains. Several partial refunds may
   * follow one another; the amount is reserved under the order's row lock against every refund
   * not failed, so their sum never exceeds what was paid, whatever runs in parallel.
   * @throws not_found (incl. another theatre's order), conflict (not refundable, nothing left),
   *   unprocessable (more than remains, bad items), unavailable (the gateway did not answer; the
   *   refund is retried)
   */
  async refundOrder(orderId: number, actor: Actor, ask: StaffRefund = {}): Promise<OrderView> {
    const now = this.deps.clock();
    const refund = await this.deps.uow.write(async (trx) => {
      const record = await this.deps.orders.lock(trx, orderId);
      if (!record || !canSeeTheatre(actor, record.row.theatre_id)) throw appError('not_found', 'No such order.');
      // An approval claims itself first: of two right codes at once, the second is told it is used.
      await ask.beforeReserve?.(trx, record);
      assertRefundable(record);
      const payment = await this.payingPayment(record, trx);
      if (!payment?.gateway_payment_id) throw appError('conflict', 'This order has no captured payment to refund.');
      const { amount, items } = await this.reserve(trx, record, payment, ask);
      ask.onReserved?.(amount);
      return this.record(trx, record, payment, payment.gateway_payment_id, 'staff', now, {
        requestedBy: ask.requestedBy ?? null,
        holdMs: this.opts.staffHoldMs,
        amount,
        items,
        note: ask.reason ?? null,
      });
    });
    let gatewayRefundId: string;
    try {
      ({ refundId: gatewayRefundId } = await this.callGateway(refund));
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      const at = this.deps.clock().toISOString();
      if (isDefinitive(err)) {
        await this.deps.uow.write((trx) => this.deps.refunds.markFailed(trx, refund.id, describe(err), at));
        throw appError('unavailable', 'The payment gateway refused the refund; nothing was refunded.');
      }
      // The gateway may or may not have refunded: the worker retries with the same key soon.
      await this.deps.refunds.retryAt(refund.id, at, describe(err), at);
      void this.job.kick();
      throw appError('unavailable', 'The payment gateway did not answer; the refund is being retried, do not refund again.');
    }
    return this.complete(refund.id, gatewayRefundId);
  }

  /**
   * Records the automatic refund of a capture the order did not take (caller holds the order
   * lock). Once per captured gateway payment, however often the gateway repeats the capture.
   */
  async refundSurplus(trx: Transaction, record: OrderRecord, payment: PaymentRow, gatewayPaymentId: string, now: Date): Promise<boolean> {
    if (await this.deps.refunds.existsFor(gatewayPaymentId, 'surplus', trx)) return false;
    await this.record(trx, record, payment, gatewayPaymentId, 'surplus', now, { requestedBy: null, holdMs: 0 });
    this.deps.alert('payment captured that the order did not take; refunding it automatically', {
      orderId: record.row.id,
      orderStatus: record.row.status,
      paymentId: payment.id,
      gatewayPaymentId,
    });
    return true;
  }

  /**
   * The gateway says a refund was processed (caller holds the order lock): completes our pending
   * refund of that payment, or records one made at the gateway's dashboard. Refunds of another
   * amount than ours, or partial refunds made at the dashboard, change nothing and alert.
   */
  async gatewayRefunded(
    trx: Transaction,
    record: OrderRecord,
    payment: PaymentRow,
    refund: { id: string; paymentId: string; amount: number },
    now: Date,
  ): Promise<{ changed: true } | { changed: false; reason: string; alert?: Record<string, unknown> }> {
    const known = (await this.deps.refunds.findByGatewayRefundId(refund.id, trx)) ?? (await this.deps.refunds.pendingFor(refund.paymentId, trx, refund.amount));
    if (known && known.status !== 'pending') return { changed: false, reason: `refund already ${known.status}` };
    if (known) {
      if (known.amount !== refund.amount) {
        return { changed: false, reason: 'refund amount mismatch', alert: { orderId: record.row.id, expected: known.amount, received: refund.amount } };
      }
      await this.completeLocked(trx, record, known, refund.id, now);
      return { changed: true };
    }
    // Made at the gateway's dashboard: only a full refund of the payment that paid the order.
    if (payment.gateway_payment_id !== refund.paymentId || payment.status !== 'success') {
      return { changed: false, reason: `payment is ${payment.status}`, alert: { orderId: record.row.id, gatewayPaymentId: refund.paymentId } };
    }
    if (refund.amount !== payment.amount) {
      return {
        changed: false,
        reason: 'partial refund made at the gateway; the order is unchanged',
        alert: { orderId: record.row.id, paid: payment.amount, refunded: refund.amount },
      };
    }
    if (!nextOrderStatus(facts(record), 'refund').ok) return { changed: false, reason: `order is ${record.row.status}` };
    const row = await this.record(trx, record, payment, refund.paymentId, 'gateway', now, { requestedBy: null, holdMs: this.opts.staffHoldMs });
    await this.completeLocked(trx, record, row, refund.id, now);
    return { changed: true };
  }

  /** One worker round: retries pending refunds whose time has come (see `record`). */
  async retryDue(): Promise<void> {
    const now = this.deps.clock();
    for (const id of await this.deps.refunds.due(now.toISOString(), this.opts.batch)) {
      const at = this.deps.clock();
      const claimed = await this.deps.refunds.claim(id, at.toISOString(), new Date(at.getTime() + this.opts.leaseMs).toISOString());
      if (!claimed) continue;
      try {
        const { refundId } = await this.callGateway(claimed);
        await this.complete(claimed.id, refundId);
      } catch (err) {
        const when = this.deps.clock();
        const giveUp = isDefinitive(err) || claimed.attempts >= this.opts.maxAttempts;
        if (giveUp) {
          await this.deps.uow.write((trx) => this.deps.refunds.markFailed(trx, claimed.id, describe(err), when.toISOString()));
          this.deps.alert('refund failed; refund it by hand at the gateway', { refundId: claimed.id, orderId: claimed.order_id, error: describe(err) });
        } else {
          const backoffMs = Math.min(1_000 * 2 ** claimed.attempts, 5 * 60_000);
          await this.deps.refunds.retryAt(claimed.id, new Date(when.getTime() + backoffMs).toISOString(), describe(err), when.toISOString());
        }
      }
    }
  }

  /** Applies a refund the gateway accepted, unless another path did first. Returns the order as it is now. */
  private async complete(refundId: number, gatewayRefundId: string): Promise<OrderView> {
    const now = this.deps.clock();
    return this.deps.uow.write(async (trx) => {
      const refund = await this.deps.refunds.find(refundId, trx);
      const record = refund && (await this.deps.orders.lock(trx, refund.order_id));
      if (!refund || !record) throw appError('not_found', 'No such order.');
      const fresh = (await this.deps.refunds.find(refundId, trx))!;
      return (await this.completeLocked(trx, record, fresh, gatewayRefundId, now)) ?? toOrderView(record);
    });
  }

  private async completeLocked(trx: Transaction, record: OrderRecord, refund: RefundRow, gatewayRefundId: string, now: Date): Promise<OrderView | null> {
    const at = now.toISOString();
    if (!(await this.deps.refunds.markProcessed(trx, refund.id, gatewayRefundId, at))) return null;
    const payment = await this.deps.payments.find(refund.payment_id, trx);
    if (!payment) return null;
    if (refund.reason !== 'surplus') return this.acceptLocked(trx, record, refund, payment, now);
    // A surplus capture went back. Its attempt is refunded unless it is the one that paid the order.
    if (payment.gateway_payment_id === refund.gateway_payment_id && record.row.live_payment_id !== payment.id) {
      await this.deps.payments.update(trx, payment.id, { status: 'refunded', updated_at: at });
    }
    if (record.row.payment_status === 'success' || record.row.payment_status === 'refunded') return toOrderView(record);
    // The order never took any money (cancelled before a capture): tell the guest it went back.
    const row = { ...record.row, payment_status: 'refunded' as const, updated_at: at };
    await this.deps.orders.update(trx, row.id, { payment_status: row.payment_status, updated_at: at });
    const order = toOrderView({ row, items: record.items });
    await emitPaymentStatus(trx, order, 'refunded', payment.gateway, now);
    return order;
  }

  /**
   * A refund of the order the gateway accepted (caller holds the order lock and marked it
   * processed): its credit note, `refundedAmount`, and then either `order.updated` with
   * `payment.status` (still `success`, with `refundedAmount`) or, once all that was paid went
   * back, the order `refunded` with `order.refunded`.
   */
  private async acceptLocked(trx: Transaction, record: OrderRecord, refund: RefundRow, payment: PaymentRow, now: Date): Promise<OrderView> {
    const at = now.toISOString();
    const creditNote = await takeCreditNoteNumber(trx, record.row.theatre_id, now);
    await this.deps.refunds.setCreditNote(trx, refund.id, creditNote, at);
    if (payment.status !== 'success' || !nextOrderStatus(facts(record), 'refund').ok) return toOrderView(record);
    const refundedAmount = record.row.refunded_amount + refund.amount;
    const row = { ...record.row, refunded_amount: refundedAmount, updated_at: at };
    await this.deps.orders.update(trx, row.id, { refunded_amount: refundedAmount, updated_at: at });
    const updated = { row, items: record.items };
    const complete = refundedAmount >= payment.amount;
    // The guest's order stream first (refund.request before a final payment.status closes the socket).
    await this.hooks.accepted?.(trx, toOrderView(complete ? { row: { ...row, status: 'refunded', payment_status: 'refunded' }, items: record.items } : updated), refund, now);
    if (complete) return applyOrderRefunded(trx, { orders: this.deps.orders, payments: this.deps.payments, orderEvents: this.deps.orderEvents }, updated, payment, now);
    const order = toOrderView(updated);
    await emitPaymentStatus(trx, order, 'success', payment.gateway, now);
    await this.deps.orderEvents.emit(trx, 'order.updated', order, now);
    return order;
  }

  private async record(
    trx: Transaction,
    record: OrderRecord,
    payment: PaymentRow,
    gatewayPaymentId: string,
    reason: RefundReason,
    now: Date,
    opts: { requestedBy: number | null; holdMs: number; amount?: number; items?: string | null; note?: string | null },
  ): Promise<RefundRow> {
    const at = now.toISOString();
    queueWork(trx, REFUND_QUEUE);
    return this.deps.refunds.insert(trx, {
      order_id: record.row.id,
      payment_id: payment.id,
      gateway: payment.gateway,
      gateway_payment_id: gatewayPaymentId,
      amount: opts.amount ?? payment.amount,
      reason,
      status: 'pending',
      idempotency_key: `rf_${this.deps.newId()}`,
      gateway_refund_id: null,
      requested_by: opts.requestedBy,
      next_attempt_at: new Date(now.getTime() + opts.holdMs).toISOString(),
      error: null,
      created_at: at,
      updated_at: at,
      items: opts.items ?? null,
      note: opts.note ?? null,
    });
  }

  /**
   * The amount a staff refund asks for, checked against what remains: what was paid less every
   * refund of the order not failed, pending ones included (caller holds the order lock).
   */
  async reserve(trx: Transaction, record: OrderRecord, payment: PaymentRow, ask: RefundAsk): Promise<{ amount: number; items: string | null }> {
    const committed = await this.deps.refunds.committedFor(record.row.id, trx);
    const remaining = payment.amount - committed.amount;
    if (remaining <= 0) throw appError('conflict', 'This order is refunded in full already.');
    return refundAmountOf(record, ask, remaining, committed.items);
  }

  /** The attempt that paid the order (older orders, from before live_payment_id, by status). */
  private async payingPayment(record: OrderRecord, trx: Transaction): Promise<PaymentRow | null> {
    if (record.row.live_payment_id !== null) return this.deps.payments.find(record.row.live_payment_id, trx);
    return this.deps.payments.successfulForOrder(record.row.id, trx);
  }

  private callGateway(refund: RefundRow): Promise<{ refundId: string }> {
    return this.deps.gateways(refund.gateway).refund({ gatewayPaymentId: refund.gateway_payment_id, amount: refund.amount, idempotencyKey: refund.idempotency_key });
  }
}

const facts = (record: OrderRecord) => ({ status: record.row.status, paymentMethod: record.row.payment_method, paymentStatus: record.row.payment_status });

function assertRefundable(record: OrderRecord): void {
  const next = nextOrderStatus(facts(record), 'refund');
  if (!next.ok) throw appError('conflict', next.reason);
}
