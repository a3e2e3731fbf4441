import { canSeeTheatre, type Actor } from '../accounts/actor.js';
import { isUniqueViolation } from '../db/dialect.js';
import type { Transaction } from '../db/executor.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { appError } from '../http/errors.js';
import { OrderRepository } from '../orders/order.repository.js';
import { toOrderView, type OrderView } from '../orders/order.view.js';
import type { RefundRow } from '../payments/refund.repository.js';
import type { RefundRequestView } from '../protocol/index.js';
import { appendAtCommit } from '../streams/event.repository.js';
import { ALL_THEATRES_STREAM, orderStream, theatreStream } from '../streams/stream-names.js';
import type { RefundActor, RefundAudit } from './refund.audit.js';
import { enqueueRequestOutcome } from './refund-notices.js';
import { RefundRequestRepository, toRequestView } from './refund-request.repository.js';

const LIST_LIMIT = 200;

/**
 * Guests' refund requests (SPEC §6): a guest asks with a reason, staff grant it by refunding the
 * order (grantOpenRequest, run where the refund completes) or reject it with a reason; the guest
 * hears the outcome live on `order:<id>` and on WhatsApp.
 */
export class RefundRequests {
  private readonly orders: OrderRepository;
  private readonly requests: RefundRequestRepository;

  constructor(private readonly deps: { uow: UnitOfWork; clock: () => Date; audit: RefundAudit }) {
    this.orders = new OrderRepository(deps.uow.reader);
    this.requests = new RefundRequestRepository(deps.uow.reader);
  }

  /** `POST /api/orders/<id>/refund-requests` (the order's guest). 422 unless paid online; 409 with one open already. */
  async open(orderId: number, reason: string): Promise<RefundRequestView> {
    const now = this.deps.clock();
    const at = now.toISOString();
    try {
      return await this.deps.uow.write(async (trx) => {
        const record = await this.orders.lock(trx, orderId);
        if (!record) throw appError('not_found', 'No such order.');
        if (record.row.payment_method !== 'online' || record.row.payment_status !== 'success') {
          throw appError('unprocessable', 'Only an order paid online (and not refunded yet) can be refunded.');
        }
        const row = await new RefundRequestRepository(trx).insert(trx, { order_id: orderId, theatre_id: record.row.theatre_id, reason, status: 'open', created_at: at });
        const request = toRequestView(row);
        const order = toOrderView(record);
        await appendAtCommit(trx, orderStream(orderId), 'refund.request', { request }, now);
        await appendAtCommit(trx, theatreStream(order.theatreId), 'order.refundRequested', { order, request }, now);
        await appendAtCommit(trx, ALL_THEATRES_STREAM, 'order.refundRequested', { order, request }, now);
        return request;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw appError('conflict', 'This order has an open refund request already.');
      throw err;
    }
  }

  /** The guest's requests of an order, oldest first (`GET /api/orders/<id>`, `refundRequests`). */
  async requestsOf(orderId: number): Promise<RefundRequestView[]> {
    return (await this.requests.forOrder(orderId)).map(toRequestView);
  }

  /** `GET /api/theatres/<id>/refund-requests?status=open|resolved`, each with its order. */
  async list(theatreId: number, actor: Actor, status: 'open' | 'resolved'): Promise<Array<RefundRequestView & { order: OrderView }>> {
    if (!canSeeTheatre(actor, theatreId)) throw appError('not_found', 'No such theatre.');
    const rows = await this.requests.forTheatre(theatreId, status === 'open', LIST_LIMIT);
    const out: Array<RefundRequestView & { order: OrderView }> = [];
    for (const r of rows) {
      const record = await this.orders.find(r.order_id);
      if (record) out.push({ ...toRequestView(r), order: toOrderView(record) });
    }
    return out;
  }

  /** `POST /api/refund-requests/<id>/reject`: the guest hears it live and on WhatsApp. 409 unless open. */
  async reject(requestId: number, actor: Actor, by: RefundActor, reason: string): Promise<RefundRequestView> {
    const existing = await this.requests.find(requestId);
    if (!existing || !canSeeTheatre(actor, existing.theatre_id)) throw appError('not_found', 'No such refund request.');
    const now = this.deps.clock();
    const request = await this.deps.uow.write(async (trx) => {
      const record = await this.orders.lock(trx, existing.order_id);
      const row = await new RefundRequestRepository(trx).resolve(trx, requestId, 'rejected', by.id, reason, now.toISOString());
      if (!row || !record) throw appError('conflict', 'This refund request is not open any more.');
      const view = toRequestView(row);
      await appendAtCommit(trx, orderStream(row.order_id), 'refund.request', { request: view }, now);
      await enqueueRequestOutcome(trx, toOrderView(record), view, now);
      return view;
    });
    this.deps.audit({ action: 'refund_request.reject', by, orderId: existing.order_id, amount: null, outcome: 'rejected', requestId });
    return request;
  }

  /**
   * Refunds hook (payments/refunds.ts `accepted`, under the order lock): a refund the gateway
   * accepted grants the order's open request, which the guest's stream hears first.
   */
  readonly grantOpenRequest = async (trx: Transaction, order: OrderView, refund: RefundRow, now: Date): Promise<void> => {
    const requests = new RefundRequestRepository(trx);
    const open = await requests.openFor(order.id, trx);
    if (!open) return;
    const row = await requests.resolve(trx, open.id, 'refunded', refund.requested_by, null, now.toISOString());
    if (row) await appendAtCommit(trx, orderStream(order.id), 'refund.request', { request: toRequestView(row) }, now);
  };
}
