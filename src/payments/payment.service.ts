import type { Actor } from '../accounts/actor.js';
import { appError } from '../http/errors.js';
import { OrderRepository } from '../orders/order.repository.js';
import type { RefundPort } from '../orders/order.service.js';
import { toOrderView, type OrderRecord, type OrderView } from '../orders/order.view.js';
import type { Executor } from '../db/executor.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { OrderEvents } from '../orders/order.events.js';
import { emitPaymentStatus, type PaymentStatusView } from './payment.events.js';
import type { GatewayRegistry } from './gateway.factory.js';
import { GatewayError, type GatewayEvent } from './payment.gateway.js';
import { PaymentStatusChecks, STATUS_CHECK_DEFAULTS, type StatusCheckOptions } from './payment-poller.js';
import { PaymentRepository, type PaymentRow } from './payment.repository.js';
import { nextPaymentStatus } from './payment.state.js';
import type { GatewayName } from './payment.table.js';
import { RefundRepository } from './refund.repository.js';
import { REFUND_DEFAULTS, Refunds, type RefundWorkerOptions, type StaffRefund } from './refunds.js';
import { buildWebhook } from './webhook.js';
import { WebhookHandler, type ConfirmationSource, type WebhookResult } from './webhook.handler.js';
import { SimulatedGateway } from './simulated.gateway.js';

export type Alert = (message: string, fields: Record<string, unknown>) => void;

export interface PaymentServiceDeps {
  /** Writes commit through it (and wake the relay, and the refund worker when one was queued). */
  uow: UnitOfWork;
  /** Order events, with the other features' reactions registered at composition. */
  orderEvents: OrderEvents;
  clock: () => Date;
  newId: () => string;
  /** The gateways configured on this server. */
  gateways: GatewayRegistry;
  /**
   * The gateway a theatre takes payments through (its `gateway` setting, read at each payment
   * start so a change is in force at once); null means `simulated`.
   */
  theatreGateway?: (theatreId: number) => Promise<GatewayName | null>;
  /** PAYMENT_WEBHOOK_SECRET: the key of the webhook's HMAC. */
  webhookSecret: string;
  /** Reports what an operator must look at (amount mismatch, payment for a cancelled order). */
  alert?: Alert;
  /** The refund worker's timings (tests shorten them). */
  refundWorker?: Partial<RefundWorkerOptions>;
  /** Where a failed worker round is reported. */
  onError?: (err: unknown) => void;
  /** The status check of payments left pending (timings; tests shorten them). */
  statusChecks?: StatusCheckOptions;
  /** Called once per order confirmed by a payment, with how it was learnt (metrics). */
  onConfirmed?: (source: ConfirmationSource) => void;
}

export interface StartedPayment {
  paymentId: number;
  gateway: GatewayName;
  gatewayOrderId: string;
  amount: number;
  currency: 'INR';
  checkoutUrl: string;
}

export interface PaymentView {
  paymentId: number;
  orderId: number;
  gateway: GatewayName;
  gatewayOrderId: string;
  amount: number;
  currency: string;
  status: PaymentRow['status'];
}

/** Receipts are at most 40 characters at Razorpay. */
const MAX_RECEIPT_LENGTH = 40;

export class PaymentService implements RefundPort {
  private readonly orders: OrderRepository;
  private readonly payments: PaymentRepository;
  private readonly webhooks: WebhookHandler;
  /** Refunds and their worker (start/stop it with the app: it retries refunds a crash left pending). */
  readonly refunds: Refunds;
  /** The status check of payments left pending (start/stop it with the app). */
  readonly statusChecks: PaymentStatusChecks;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.orders = new OrderRepository(deps.uow.reader);
    this.payments = new PaymentRepository(deps.uow.reader);
    const alert = deps.alert ?? (() => undefined);
    this.refunds = new Refunds(
      {
        uow: deps.uow,
        orderEvents: deps.orderEvents,
        clock: deps.clock,
        newId: deps.newId,
        gateways: (name) => deps.gateways.require(name),
        orders: this.orders,
        payments: this.payments,
        refunds: new RefundRepository(deps.uow.reader),
        alert,
      },
      { ...REFUND_DEFAULTS, ...deps.refundWorker },
      deps.onError,
    );
    this.webhooks = new WebhookHandler({
      uow: deps.uow,
      orderEvents: deps.orderEvents,
      clock: deps.clock,
      webhookSecret: deps.webhookSecret,
      alert,
      orders: this.orders,
      payments: this.payments,
      refunds: this.refunds,
      ...(deps.onConfirmed ? { onConfirmed: deps.onConfirmed } : {}),
    });
    this.statusChecks = new PaymentStatusChecks(
      {
        payments: this.payments,
        gateways: deps.gateways,
        apply: (event, source) => this.webhooks.apply(event, source),
        clock: deps.clock,
        alert,
        onError: deps.onError ?? (() => undefined),
      },
      deps.statusChecks ?? STATUS_CHECK_DEFAULTS,
    );
  }

  /**
   * Opens an online payment for a placed order: creates the gateway order (outside any
   * transaction), then records the payment as pending and emits `payment.status` pending.
   * The theatre's gateway takes it (`simulated` when it has none); a gateway this server has
   * not configured answers 503. `origin` (this site, as the guest reached it) is where hosted
   * checkouts send the guest back: `<origin>/o/<orderId>`.
   * @throws not_found, conflict (not an online order waiting for payment), unavailable (gateway not configured or not answering)
   */
  async startPayment(orderId: number, opts: { origin?: string } = {}): Promise<StartedPayment> {
    const record = await this.mustFindOrder(orderId);
    assertAwaitingPayment(record);
    const gateway = this.deps.gateways.require((await this.deps.theatreGateway?.(record.row.theatre_id)) ?? 'simulated');
    const receipt = `order-${orderId}-${this.deps.newId()}`.slice(0, MAX_RECEIPT_LENGTH);
    const { gatewayOrderId, checkoutRef } = await callGateway(() =>
      gateway.createOrder({
        amount: record.row.amount,
        currency: 'INR',
        receipt,
        customerPhone: record.row.phone,
        ...(opts.origin ? { returnUrl: `${opts.origin}/o/${orderId}` } : {}),
      }),
    );
    const now = this.deps.clock();
    const at = now.toISOString();
    // Under the order's lock: one live attempt per order. The new one supersedes any older one
    // (gateway orders cannot be cancelled; a late capture of an old one is refunded if the
    // order is paid by then, and its late failure changes nothing).
    const paymentId = await this.deps.uow.write(async (trx) => {
      const current = await this.orders.lock(trx, orderId);
      if (!current) throw appError('not_found', 'No such order.');
      assertAwaitingPayment(current);
      const id = await this.payments.insert(trx, {
        order_id: orderId,
        gateway: gateway.name,
        gateway_order_id: gatewayOrderId,
        gateway_payment_id: null,
        amount: current.row.amount,
        currency: 'INR',
        status: nextPaymentStatus('created', 'start')!,
        created_at: at,
        updated_at: at,
        next_check_at: this.statusChecks.firstCheckAt(now),
        checkout_ref: checkoutRef ?? null,
      });
      await this.payments.supersedeOthers(trx, orderId, id, at);
      await this.orders.update(trx, orderId, { payment_status: 'pending', live_payment_id: id, updated_at: at });
      const order = toOrderView({ row: { ...current.row, payment_status: 'pending' }, items: current.items });
      await emitPaymentStatus(trx, order, 'pending', gateway.name, now);
      return id;
    });
    return {
      paymentId,
      gateway: gateway.name,
      gatewayOrderId,
      amount: record.row.amount,
      currency: 'INR',
      checkoutUrl: gateway.checkoutUrl(paymentId),
    };
  }

  /** See WebhookHandler.handle. @throws bad_request for a bad signature or body. */
  handleWebhook(rawBody: Buffer, signatureHeader: string | undefined, eventId: string | undefined): Promise<WebhookResult> {
    return this.webhooks.handle(rawBody, signatureHeader, eventId);
  }

  /**
   * A webhook at `POST /api/payments/webhook/<gateway>` in that gateway's own format: checked and
   * read by the gateway's adapter, then applied like every other gateway event.
   * @throws not_found (gateway not configured here), bad_request (bad signature or body)
   */
  async handleGatewayWebhook(name: GatewayName, rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<WebhookResult> {
    const parser = this.deps.gateways.webhookParser(name);
    if (!parser) throw appError('not_found', 'No such gateway on this server.');
    const event: GatewayEvent = parser.parseWebhook(rawBody, headers, this.deps.clock());
    return this.webhooks.apply(event, 'webhook');
  }

  /** The staff refund: see Refunds.refundOrder. @throws not_found, conflict, unavailable */
  refundOrder(orderId: number, actor: Actor, ask?: StaffRefund): Promise<OrderView> {
    return this.refunds.refundOrder(orderId, actor, ask);
  }

  /** The order's payment state, as `payment.status` data. @throws not_found */
  async paymentStatus(orderId: number, trx: Executor = this.deps.uow.reader): Promise<PaymentStatusView> {
    const record = await this.mustFindOrder(orderId, trx);
    const latest = await this.payments.latestForOrder(orderId, trx);
    return {
      orderId,
      status: record.row.payment_status,
      amount: record.row.amount,
      method: record.row.payment_method,
      gateway: latest?.gateway ?? null,
      orderStatus: record.row.status,
      refundedAmount: record.row.refunded_amount,
    };
  }

  /** @throws not_found */
  async getPayment(paymentId: number): Promise<PaymentView> {
    const p = await this.payments.find(paymentId);
    if (!p) throw appError('not_found', 'No such payment.');
    return {
      paymentId: p.id,
      orderId: p.order_id,
      gateway: p.gateway,
      gatewayOrderId: p.gateway_order_id,
      amount: p.amount,
      currency: p.currency,
      status: p.status,
    };
  }

  /** What the payment's checkout page needs: the payment and its gateway's checkout reference. @throws not_found */
  async getCheckout(paymentId: number): Promise<PaymentView & { checkoutRef: string | null }> {
    const view = await this.getPayment(paymentId);
    const p = (await this.payments.find(paymentId))!;
    return { ...view, checkoutRef: p.checkout_ref };
  }

  /**
   * For the simulated checkout page: the signed webhook the "pay" or "fail" button posts to
   * `POST /api/payments/webhook`, exactly as a real gateway would send it.
   * @throws not_found, conflict (not a simulated payment, or no longer pending)
   */
  async simulateCheckout(paymentId: number, outcome: 'pay' | 'fail'): Promise<{ rawBody: string; signature: string; eventId: string }> {
    const p = await this.payments.find(paymentId);
    if (!p) throw appError('not_found', 'No such payment.');
    if (p.gateway !== 'simulated') throw appError('conflict', 'Not a simulated payment.');
    if (p.status === 'superseded') throw appError('conflict', 'A newer payment was started for this order; pay on that one.');
    if (p.status !== 'pending' && p.status !== 'failed') throw appError('conflict', `The payment is already ${p.status}.`);
    const gatewayPaymentId = `pay_sim_${this.deps.newId()}`;
    // The simulated gateway's own books, which its status API answers from.
    const simulated = this.deps.gateways.get('simulated');
    if (simulated instanceof SimulatedGateway) {
      simulated.settle(p.gateway_order_id, outcome === 'pay' ? { state: 'paid', gatewayPaymentId, amount: p.amount, currency: p.currency } : { state: 'failed' });
    }
    return buildWebhook({
      event: outcome === 'pay' ? 'payment.captured' : 'payment.failed',
      gatewayOrderId: p.gateway_order_id,
      gatewayPaymentId,
      amount: p.amount,
      secret: this.deps.webhookSecret,
      eventId: `evt_sim_${this.deps.newId()}`,
      at: this.deps.clock(),
    });
  }

  private async mustFindOrder(orderId: number, trx?: Executor): Promise<OrderRecord> {
    const record = await this.orders.find(orderId, trx);
    if (!record) throw appError('not_found', 'No such order.');
    return record;
  }
}

function assertAwaitingPayment(record: OrderRecord): void {
  const { row } = record;
  if (row.payment_method !== 'online') throw appError('conflict', 'A cash order is paid at the seat.');
  if (row.status !== 'placed' || row.payment_status === 'success') throw appError('conflict', `The order is already ${row.status}.`);
}

async function callGateway<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof GatewayError) throw appError('unavailable', 'The payment gateway did not answer; try again.');
    throw err;
  }
}
