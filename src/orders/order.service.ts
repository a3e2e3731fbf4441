import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canSeeTheatre, type Actor } from '../accounts/actor.js';
import { DEFAULT_LIMITS } from '../config/limits.js';
import { isUniqueViolation } from '../db/dialect.js';
import { appError } from '../http/errors.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { TheatreRepository, type MenuItem } from '../theatres/theatre.repository.js';
import { LiveOrders } from './live-orders.js';
import { fingerprint, idempotencyLookupHash, openAnswer, sealAnswer } from './idempotency.js';
import type { OrderEvents, OrderEventType } from './order.events.js';
import { assertCashAllowed, type OpenCashLimits } from './open-cash.js';
import { createOrderSchema, MAX_IDEMPOTENCY_KEY_LENGTH, type ParsedCreateOrder } from './order.input.js';
import { OrderRepository, type NewOrderItem } from './order.repository.js';
import { nextOrderStatus, type OrderAction } from './order.state.js';
import { toOrderView, type OrderView } from './order.view.js';
import { normalisePhone } from '../shared/phone.js';
import { invoiceColumns } from '../invoices/invoice-numbers.js';
import { computeTotals, type StaffRef } from '../protocol/index.js';
import { pricingOf } from '../theatres/settings.js';

export interface OrderServiceDeps {
  /** Writes commit through it (and wake the relay); reads use its reader. */
  uow: UnitOfWork;
  /** Order events, with the other features' reactions registered at composition. */
  orderEvents: OrderEvents;
  clock: () => Date;
  /** A fresh unguessable token (at least 128 random bits) for the guest. */
  newToken: () => string;
  /** Carries out refunds (the payment service): money moves before the order changes. */
  refunds?: RefundPort;
  /** Unseen-alert threshold of theatres without their own; absent = only those with one alert. */
  unseenAlertSeconds?: number;
  /** The most one order may come to, in paise; DEFAULT_LIMITS.maxOrderTotalPaise when absent. */
  maxOrderTotalPaise?: number;
  /** Caps on open cash orders per phone and per client address; none when absent (the app always sets them). */
  openCashLimits?: OpenCashLimits;
  /** Rate limits on guests (per phone and client address), checked before a new order is placed. */
  admitOrder?: (phone: string, clientAddress: string) => Promise<void>;
}

export interface CreateOrderOptions {
  idempotencyKey?: string;
  /** The guest's address key (rate-limits.ts clientAddressKey), for per-address limits and counts. */
  clientAddress?: string;
}

export interface RefundPort {
  refundOrder(orderId: number, actor: Actor): Promise<OrderView>;
}

export interface CreatedOrder {
  order: OrderView;
  orderToken: string;
}

export type StaffAction = Exclude<OrderAction, 'confirm'>;

const IDEMPOTENCY_SCOPE = 'orders.create';
const EVENT_OF: Record<Exclude<StaffAction, 'refund'>, OrderEventType> = {
  seen: 'order.seen',
  deliver: 'order.delivered',
  cancel: 'order.cancelled',
};

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const NO_TOKEN_HASH = sha256('');

export class OrderService {
  private readonly orders: OrderRepository;
  private readonly theatres: TheatreRepository;
  private readonly live: LiveOrders;

  constructor(private readonly deps: OrderServiceDeps) {
    this.orders = new OrderRepository(deps.uow.reader);
    this.theatres = new TheatreRepository(deps.uow.reader);
    this.live = new LiveOrders(deps);
  }

  /**
   * Places an order. Prices, amount and maxTime come from the server's menu. A cash order is
   * confirmed at once (paymentStatus 'due', event `order.confirmed`); an online one waits in
   * `placed` for its payment. With an idempotency key, a repeat gets the first answer verbatim.
   */
  async createOrder(input: unknown, opts: CreateOrderOptions = {}): Promise<CreatedOrder> {
    const parsed = createOrderSchema.safeParse(input);
    if (!parsed.success) throw appError('validation_failed', z.prettifyError(parsed.error));
    const request = parsed.data;
    const phone = normalisePhone(request.phone);
    if (!phone) throw appError('validation_failed', 'phone is not a valid phone number.');
    const key = opts.idempotencyKey;
    if (key !== undefined && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
      throw appError('validation_failed', `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`);
    }
    if (key !== undefined) {
      const earlier = await this.replay(key, request);
      if (earlier) return earlier;
    }
    // After the replay: answering a repeat again costs the guest nothing.
    if (opts.clientAddress !== undefined) await this.deps.admitOrder?.(phone, opts.clientAddress);
    try {
      return await this.placeOrder(request, { phone, clientAddress: opts.clientAddress }, key);
    } catch (err) {
      // The same key raced us and committed first: answer what it answered.
      if (key !== undefined && isUniqueViolation(err)) {
        const earlier = await this.replay(key, request);
        if (earlier) return earlier;
      }
      throw err;
    }
  }

  private async replay(key: string, request: ParsedCreateOrder): Promise<CreatedOrder | null> {
    const stored = await this.orders.findIdempotent(idempotencyLookupHash(IDEMPOTENCY_SCOPE, key));
    if (!stored) return null;
    if (stored.fingerprint !== fingerprint(request)) {
      throw appError('unprocessable', 'This Idempotency-Key was used for a different order.');
    }
    return openAnswer<CreatedOrder>(IDEMPOTENCY_SCOPE, key, stored.answer);
  }

  private async placeOrder(request: ParsedCreateOrder, who: { phone: string; clientAddress: string | undefined }, key: string | undefined): Promise<CreatedOrder> {
    const { phone } = who;
    const maxTotal = this.deps.maxOrderTotalPaise ?? DEFAULT_LIMITS.maxOrderTotalPaise;
    const place = await this.theatres.findSeatPlace(request.seatId);
    if (!place) throw appError('not_found', 'No such seat.');
    const { theatre } = place;
    const lines = priceLines(request, await this.theatres.findItems(request.items.map((i) => i.itemId)), theatre.id);
    if (request.paymentMethod === 'cash' && !theatre.cashEnabled) throw appError('cash_not_accepted');
    // The theatre's discount and taxes as they stand now: the order keeps its figures after they change.
    const totals = computeTotals(lines, pricingOf(theatre));
    const amount = totals.total;
    if (!(amount <= maxTotal)) {
      throw appError('unprocessable', `This order comes to Rs ${rupees(amount)}; one order may be at most Rs ${rupees(maxTotal)}. Split it into smaller orders.`);
    }

    const now = this.deps.clock();
    const at = now.toISOString();
    const orderToken = this.deps.newToken();
    const cash = request.paymentMethod === 'cash';

    return this.deps.uow.write(async (trx) => {
      await this.orders.lockTheatre(trx, theatre.id);
      if ((await this.orders.countOpen(theatre.id, trx)) >= theatre.orderLimit) throw appError('order_limit_reached');
      if (cash && this.deps.openCashLimits) await assertCashAllowed(this.orders, trx, theatre.id, who, this.deps.openCashLimits);
      const orderId = await this.orders.insert(
        trx,
        {
          theatre_id: theatre.id,
          seat_id: place.seat.id,
          seat_name: place.seat.name,
          row_name: place.row.name,
          hall_name: place.hall.name,
          phone,
          client_address: who.clientAddress ?? null,
          notes: request.notes ?? null,
          payment_method: request.paymentMethod,
          payment_status: cash ? 'due' : 'created',
          status: cash ? 'confirmed' : 'placed',
          amount,
          subtotal: totals.subtotal,
          discount: totals.discount,
          taxes: JSON.stringify(totals.taxes),
          pricing: JSON.stringify(pricingOf(theatre)),
          tax_total: totals.taxes.reduce((sum, t) => sum + t.amount, 0),
          max_time: Math.max(...lines.map((l) => l.maxTime)),
          token_hash: sha256(orderToken),
          placed_at: at,
          confirmed_at: cash ? at : null,
          // A cash order is confirmed as it is placed, so it is invoiced then.
          ...(cash ? await invoiceColumns(trx, theatre.id, now) : {}),
          updated_at: at,
        },
        lines.map(({ maxTime: _m, ...line }) => line),
      );
      const record = await this.orders.find(orderId, trx);
      const order = toOrderView(record!);
      if (cash) await this.deps.orderEvents.emit(trx, 'order.confirmed', order, now);
      const answer: CreatedOrder = { order, orderToken };
      if (key !== undefined) {
        await this.orders.insertIdempotent(trx, {
          key_hash: idempotencyLookupHash(IDEMPOTENCY_SCOPE, key),
          scope: IDEMPOTENCY_SCOPE,
          fingerprint: fingerprint(request),
          answer: sealAnswer(IDEMPOTENCY_SCOPE, key, answer),
          created_at: at,
        });
      }
      return answer;
    });
  }

  /** @throws not_found */
  async getOrder(orderId: number): Promise<OrderView> {
    const record = await this.orders.find(orderId);
    if (!record) throw appError('not_found', 'No such order.');
    return toOrderView(record);
  }

  /** The order if `actor` may see it; staff of another theatre get not_found, as for a missing one. */
  async getOrderFor(orderId: number, actor: Actor): Promise<OrderView> {
    const order = await this.getOrder(orderId);
    if (!canSeeTheatre(actor, order.theatreId)) throw appError('not_found', 'No such order.');
    return order;
  }

  /** Whether `token` is the guest token of this order, compared in constant time. */
  async verifyOrderToken(orderId: number, token: string): Promise<boolean> {
    const stored = await this.orders.tokenHash(orderId);
    // Compare even for a missing order, so timing does not tell which order ids exist.
    const same = timingSafeEqual(Buffer.from(sha256(token), 'hex'), Buffer.from(stored ?? NO_TOKEN_HASH, 'hex'));
    return stored !== null && same;
  }

  /**
   * A staff action. 404 for an order the actor may not see; 409 when the order's state does not
   * allow it (see order.state.ts). The change and its events commit together.
   */
  async transition(orderId: number, action: StaffAction, actor: Actor, by: StaffRef | null = null): Promise<OrderView> {
    await this.getOrderFor(orderId, actor);
    if (action === 'refund') {
      if (!this.deps.refunds) throw appError('unavailable', 'Refunds are not configured.');
      return this.deps.refunds.refundOrder(orderId, actor);
    }
    const now = this.deps.clock();
    return this.deps.uow.write(async (trx) => {
      // The order's row lock: a concurrent webhook, refund or other staff action of this order
      // waits for this commit and then sees it (any process, either dialect).
      const record = await this.orders.lock(trx, orderId);
      if (!record) throw appError('not_found', 'No such order.');
      const next = nextOrderStatus(
        { status: record.row.status, paymentMethod: record.row.payment_method, paymentStatus: record.row.payment_status },
        action,
      );
      if (!next.ok) throw appError('conflict', next.reason);
      const at = now.toISOString();
      const changes = { status: next.status, updated_at: at, ...whoDid(action, by, at) };
      await this.orders.update(trx, orderId, changes);
      const order = toOrderView({ row: { ...record.row, ...changes }, items: record.items });
      // Payments tell the order's payment socket it is finished (a reaction, before the theatre streams).
      await this.deps.orderEvents.emit(trx, EVENT_OF[action], order, now);
      return order;
    });
  }

  /** Orders being served (confirmed or seen), oldest first; one theatre's, or all when undefined. */
  liveOrders(theatreId?: number): Promise<OrderView[]> {
    return this.live.list(theatreId);
  }

  /** See LiveOrders.emitUnseenAlerts: call periodically. */
  emitUnseenAlerts(): Promise<OrderView[]> {
    return this.live.emitUnseenAlerts();
  }
}

type PricedLine = NewOrderItem & { maxTime: number };

/** Who marked an order seen or delivered, and when (SPEC §6 seenBy/deliveredBy). */
function whoDid(action: Exclude<StaffAction, 'refund'>, by: StaffRef | null, at: string) {
  if (action === 'seen') return { seen_by_id: by?.id ?? null, seen_by_username: by?.username ?? null, seen_at: at };
  if (action === 'deliver') return { delivered_by_id: by?.id ?? null, delivered_by_username: by?.username ?? null, delivered_at: at };
  return {};
}

/** Paise as rupees the way guests read them: `5,00,000.00`. */
const rupees = (paise: number): string => (paise / 100).toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Lines priced from the menu. @throws item_unavailable for unknown, foreign or unavailable items. */
function priceLines(request: ParsedCreateOrder, menuItems: MenuItem[], theatreId: number): PricedLine[] {
  const byId = new Map(menuItems.map((i) => [i.id, i]));
  return request.items.map(({ itemId, quantity }) => {
    const item = byId.get(itemId);
    if (!item || item.theatreId !== theatreId) {
      throw appError('item_unavailable', `Item ${itemId} is not on this theatre's menu.`);
    }
    if (!item.available) throw appError('item_unavailable', `${item.name} is not available right now.`);
    return { item_id: item.id, name: item.name, price: item.price, quantity, maxTime: item.maxTime };
  });
}
