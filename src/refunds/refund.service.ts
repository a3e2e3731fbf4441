import { canSeeTheatre, type Actor } from '../accounts/actor.js';
import type { Transaction } from '../db/executor.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { appError, AppError } from '../http/errors.js';
import { OrderRepository } from '../orders/order.repository.js';
import type { OrderRecord, OrderView } from '../orders/order.view.js';
import type { RefundApprovalView } from '../protocol/index.js';
import { PaymentRepository } from '../payments/payment.repository.js';
import type { RefundAsk, Refunds } from '../payments/refunds.js';
import { APPROVAL_TTL_MS, approvalCodeMatches, hashApprovalCode, MAX_WRONG_CODES, newApprovalCode } from './approval-codes.js';
import { RefundApprovalRepository } from './refund-approval.repository.js';
import type { RefundActor, RefundAudit } from './refund.audit.js';

export interface RefundServiceDeps {
  uow: UnitOfWork;
  clock: () => Date;
  /** The payments' refunds: reserving, calling the gateway, completing. */
  refunds: Refunds;
  /** Sends a code to the approver (after commit); resolves false when it could not be sent. */
  sendCode: (to: string, code: string, about: { orderId: number; approvalId: number; amount: string }) => Promise<boolean>;
  audit: RefundAudit;
}

export type RefundOutcome = { order: OrderView } | { approval: RefundApprovalView };

const rupees = (paise: number | null) => (paise === null ? 'the rest' : `Rs ${(paise / 100).toFixed(2)}`);

/**
 * Refunds under control (SPEC §6): a staff refund waits for the approver's code when the theatre
 * asks for one (guests' requests: refund-requests.service.ts). The money itself moves in
 * payments/refunds.ts.
 */
export class RefundService {
  private readonly orders: OrderRepository;
  private readonly approvals: RefundApprovalRepository;

  constructor(private readonly deps: RefundServiceDeps) {
    this.orders = new OrderRepository(deps.uow.reader);
    this.approvals = new RefundApprovalRepository(deps.uow.reader);
  }

  /**
   * `POST /api/orders/<id>/refund`. Staff of a theatre with `refundApproval: "code"` get an
   * approval (nothing refunded yet; a code goes to the approver); admins and other theatres'
   * staff refund at once.
   */
  async refund(orderId: number, actor: Actor, by: RefundActor, ask: RefundAsk): Promise<RefundOutcome> {
    let amount = ask.amount ?? null;
    try {
      if (actor.role === 'staff') {
        const approval = await this.askApproval(orderId, actor, by, ask);
        if (approval) return { approval };
      }
      const order = await this.deps.refunds.refundOrder(orderId, actor, { ...ask, requestedBy: by.id, onReserved: (a) => (amount = a) });
      this.deps.audit({ action: 'refund', by, orderId, amount, outcome: 'refunded' });
      return { order };
    } catch (err) {
      this.deps.audit({ action: 'refund', by, orderId, amount, outcome: refusal(err) });
      throw err;
    }
  }

  /** Creates an approval and sends its code, or null when the theatre needs none. */
  private async askApproval(orderId: number, actor: Actor, by: RefundActor, ask: RefundAsk): Promise<RefundApprovalView | null> {
    // Most theatres need no code: spare them the (deliberately slow) hash. Checked again under the lock.
    const setting = await this.deps.uow.reader
      .selectFrom('orders')
      .innerJoin('theatres', 'theatres.id', 'orders.theatre_id')
      .select('theatres.refund_approval')
      .where('orders.id', '=', orderId)
      .executeTakeFirst();
    if (setting?.refund_approval !== 'code') return null;
    const now = this.deps.clock();
    const at = now.toISOString();
    const code = newApprovalCode();
    const stored = await hashApprovalCode(code);
    const created = await this.deps.uow.write(async (trx) => {
      const record = await this.orders.lock(trx, orderId);
      if (!record || !canSeeTheatre(actor, record.row.theatre_id)) throw appError('not_found', 'No such order.');
      const theatre = await trx.selectFrom('theatres').select(['refund_approval', 'approver_phone']).where('id', '=', record.row.theatre_id).executeTakeFirstOrThrow();
      if (theatre.refund_approval !== 'code') return null;
      if (!theatre.approver_phone) throw appError('conflict', 'This theatre needs a refund code but has no approver phone; ask an admin.');
      // Checked now so staff hear at once that the amount is wrong, and again when the code is given.
      const checked = await this.check(trx, record, ask);
      const row = await new RefundApprovalRepository(trx).insert(trx, {
        order_id: orderId,
        theatre_id: record.row.theatre_id,
        amount: ask.amount ?? null,
        items: ask.items ? JSON.stringify(ask.items) : null,
        note: ask.reason ?? null,
        requested_by: by.id,
        code_salt: stored.salt,
        code_hash: stored.hash,
        status: 'pending',
        expires_at: new Date(now.getTime() + APPROVAL_TTL_MS).toISOString(),
        created_at: at,
        updated_at: at,
      });
      return { row, phone: theatre.approver_phone, amount: checked };
    });
    if (!created) return null;
    const { row } = created;
    // Staff wait for the code to reach WhatsApp (with the sender's retries): an approval whose code
    // never left is void at once, and they hear it now rather than wait for a message that never comes.
    const sent = await this.deps.sendCode(created.phone, code, { orderId, approvalId: row.id, amount: rupees(created.amount) });
    this.deps.audit({ action: 'refund.approval.requested', by, orderId, amount: created.amount, outcome: sent ? 'approval_sent' : 'code_not_sent', approvalId: row.id });
    if (!sent) {
      await this.approvals.void(row.id, this.deps.clock().toISOString());
      throw appError('unavailable', 'The approval code could not be sent to the approver over WhatsApp; nothing was refunded. Try again shortly.');
    }
    return { id: row.id, expiresAt: row.expires_at };
  }

  /** The amount a refund would take now (caller holds the order lock). */
  private async check(trx: Transaction, record: OrderRecord, ask: RefundAsk): Promise<number> {
    const payment = await this.payingPayment(trx, record);
    if (record.row.payment_method !== 'online' || record.row.payment_status !== 'success' || !payment?.gateway_payment_id) {
      throw appError('conflict', 'only an online order with a successful payment can be refunded');
    }
    return (await this.deps.refunds.reserve(trx, record, payment, ask)).amount;
  }

  private async payingPayment(trx: Transaction, record: OrderRecord) {
    const payments = new PaymentRepository(trx);
    return record.row.live_payment_id !== null ? payments.find(record.row.live_payment_id, trx) : payments.successfulForOrder(record.row.id, trx);
  }

  /**
   * `POST /api/refund-approvals/<id>`: the approver's code carries the refund out. 404 for
   * another theatre's staff; 410 once used, expired or void; 422 for a wrong code (the fifth
   * wrong one voids it).
   */
  async approve(approvalId: number, code: string, actor: Actor, by: RefundActor): Promise<OrderView> {
    const approval = await this.approvals.find(approvalId);
    if (!approval || !canSeeTheatre(actor, approval.theatre_id)) throw appError('not_found', 'No such approval.');
    const entry = { action: 'refund.approval.code' as const, by, orderId: approval.order_id, amount: approval.amount, approvalId };
    let reserved: number | null = null;
    const now = this.deps.clock();
    const at = now.toISOString();
    const gone = approval.status !== 'pending' ? approval.status : approval.expires_at <= at ? 'expired' : null;
    if (gone) {
      this.deps.audit({ ...entry, outcome: gone });
      throw appError('gone', `This approval is ${gone === 'used' ? 'used already' : gone === 'void' ? 'void after too many wrong codes' : 'expired'}; ask for a refund again.`);
    }
    if (!(await approvalCodeMatches(code, { salt: approval.code_salt, hash: approval.code_hash }))) {
      const tries = await this.approvals.wrongCode(approvalId, at);
      this.deps.audit({ ...entry, outcome: tries === null ? 'gone' : tries >= MAX_WRONG_CODES ? 'wrong_code_void' : 'wrong_code' });
      if (tries === null) throw appError('gone', 'This approval is no longer valid; ask for a refund again.');
      const left = MAX_WRONG_CODES - tries;
      throw appError('unprocessable', left > 0 ? `Wrong code; ${left} ${left === 1 ? 'try' : 'tries'} left.` : 'Wrong code; the approval is now void.');
    }
    try {
      const order = await this.deps.refunds.refundOrder(approval.order_id, actor, {
        ...(approval.amount !== null ? { amount: approval.amount } : {}),
        ...(approval.items !== null ? { items: JSON.parse(approval.items) as RefundAsk['items'] } : {}),
        ...(approval.note !== null ? { reason: approval.note } : {}),
        requestedBy: approval.requested_by,
        onReserved: (a) => (reserved = a),
        beforeReserve: async (trx) => {
          if (!(await new RefundApprovalRepository(trx).use(trx, approvalId, at))) throw appError('gone', 'This approval is used already or expired.');
        },
      });
      this.deps.audit({ ...entry, amount: reserved ?? entry.amount, outcome: 'refunded' });
      return order;
    } catch (err) {
      this.deps.audit({ ...entry, outcome: refusal(err) });
      throw err;
    }
  }
}

/** An audit line's outcome for a refused refund: the error's stable code, never its details. */
function refusal(err: unknown): string {
  return err instanceof AppError ? `refused: ${err.code}` : 'error';
}
