import { sql, type ExpressionBuilder, type Insertable, type Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import { onPostgres, toNumber } from '../db/dialect.js';
import { MAX_ID } from '../http/route-schemas.js';
import type { Executor, Transaction } from '../db/executor.js';
import { OPEN_STATUSES } from './order.state.js';
import type { IdempotencyKeyTable, OrderItemTable, OrderTable } from './order.table.js';
import type { OrderRecord } from './order.view.js';

export type NewOrder = Insertable<OrderTable>;
export type NewOrderItem = Omit<Insertable<OrderItemTable>, 'order_id'>;

/** The phones of the orders each open transaction locked (an order's phone never changes). */
const phonesLockedIn = new WeakMap<Transaction, Map<number, string>>();
function lockedPhones(trx: Transaction): Map<number, string> {
  let map = phonesLockedIn.get(trx);
  if (!map) phonesLockedIn.set(trx, (map = new Map()));
  return map;
}

export class OrderRepository {
  constructor(private readonly db: Executor) {}

  async insert(trx: Transaction, order: NewOrder, items: readonly NewOrderItem[]): Promise<number> {
    const { id } = await trx.insertInto('orders').values(order).returning('id').executeTakeFirstOrThrow();
    await trx
      .insertInto('order_items')
      .values(items.map((i) => ({ ...i, order_id: id })))
      .execute();
    return id;
  }

  async find(orderId: number, trx: Executor = this.db): Promise<OrderRecord | null> {
    const row = await trx.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
    if (!row) return null;
    return { row, items: await this.items(orderId, trx) };
  }

  private items(orderId: number, trx: Executor): Promise<OrderRecord['items']> {
    return trx.selectFrom('order_items').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
  }

  /**
   * Takes the order's row lock for the rest of the transaction and reads it fresh. Every change
   * of an order (staff action, payment start, webhook, refund, job) goes through this first, so
   * changes of one order are serialised on every process: PostgreSQL holds the row lock until
   * commit (a concurrent writer waits, then reads what this one committed); SQLite takes its
   * database write lock. The order is named by its id, or by the gateway order of one of its
   * payments (a webhook). Null when there is no such order.
   *
   * PostgreSQL locks and reads in one statement (SELECT … FOR NO KEY UPDATE OF orders, the lock
   * an UPDATE of the row takes, so foreign keys to it still only share it), its items included:
   * they are written with the order and never change, so the statement's snapshot, taken before
   * any wait for the lock, has them right; so is a payment's order_id, which never changes either.
   * SQLite has no FOR UPDATE, so a no-op UPDATE takes its write lock first.
   */
  async lock(trx: Transaction, order: number | { gatewayOrderId: string }): Promise<OrderRecord | null> {
    const isTheOrder = (eb: ExpressionBuilder<Database, 'orders'>) =>
      typeof order === 'number'
        ? eb('orders.id', '=', order)
        : eb('orders.id', '=', eb.selectFrom('payments').select('payments.order_id').where('payments.gateway_order_id', '=', order.gatewayOrderId));
    let record: OrderRecord | null;
    if (onPostgres(trx)) {
      const found = await trx
        .selectFrom('orders')
        .selectAll('orders')
        .select((eb) =>
          eb
            .selectFrom('order_items')
            .select(sql<OrderRecord['items']>`coalesce(json_agg(order_items order by order_items.id), '[]'::json)`.as('items'))
            .whereRef('order_items.order_id', '=', 'orders.id')
            .as('items'),
        )
        .where(isTheOrder)
        .forNoKeyUpdate('orders')
        .executeTakeFirst();
      if (!found) return null;
      const { items, ...row } = found;
      record = { row, items: items ?? [] }; // never null (an aggregate always has a row); Kysely types a scalar subquery as nullable
    } else {
      const locked = await trx
        .updateTable('orders')
        .set((eb) => ({ updated_at: eb.ref('updated_at') }))
        .where(isTheOrder)
        .returning('orders.id')
        .executeTakeFirst();
      record = locked ? await this.find(locked.id, trx) : null;
    }
    if (record) lockedPhones(trx).set(record.row.id, record.row.phone);
    return record;
  }

  /** Whether an order id names an order (asked before opening a payment socket with a key). */
  async exists(id: string): Promise<boolean> {
    // Ids are PostgreSQL integers: a larger number names no order (and would not bind).
    if (!/^\d{1,15}$/.test(id) || Number(id) > MAX_ID) return false;
    const row = await this.db.selectFrom('orders').select('id').where('id', '=', Number(id)).executeTakeFirst();
    return row !== undefined;
  }

  /** Open cash orders at a theatre of one phone or one client address. */
  async countOpenCash(trx: Transaction, theatreId: number, by: { phone: string } | { clientAddress: string }): Promise<number> {
    let q = trx
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('theatre_id', '=', theatreId)
      .where('payment_method', '=', 'cash')
      .where('status', 'in', [...OPEN_STATUSES]);
    q = 'phone' in by ? q.where('phone', '=', by.phone) : q.where('client_address', '=', by.clientAddress);
    return toNumber((await q.executeTakeFirst())?.n);
  }

  /** The phone an order was placed with (it never changes: an order locked in this transaction already read it). */
  async phoneOf(orderId: number, trx: Executor = this.db): Promise<string | null> {
    const locked = phonesLockedIn.get(trx as Transaction)?.get(orderId);
    if (locked !== undefined) return locked;
    const row = await trx.selectFrom('orders').select('phone').where('id', '=', orderId).executeTakeFirst();
    return row?.phone ?? null;
  }

  async tokenHash(orderId: number): Promise<string | null> {
    const row = await this.db.selectFrom('orders').select('token_hash').where('id', '=', orderId).executeTakeFirst();
    return row?.token_hash ?? null;
  }

  async update(trx: Transaction, orderId: number, changes: Updateable<OrderTable>): Promise<void> {
    await trx.updateTable('orders').set(changes).where('id', '=', orderId).execute();
  }

  /**
   * Serialises order placement per theatre, so two guests cannot both take the last slot under
   * `orderLimit`. A no-op UPDATE is the one statement that locks on both dialects: a row lock on
   * PostgreSQL, the database write lock on SQLite (FOR UPDATE does not exist there).
   */
  async lockTheatre(trx: Transaction, theatreId: number): Promise<void> {
    await trx
      .updateTable('theatres')
      .set((eb) => ({ order_limit: eb.ref('order_limit') }))
      .where('id', '=', theatreId)
      .execute();
  }

  async countOpen(theatreId: number, trx: Executor = this.db): Promise<number> {
    const row = await trx
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('theatre_id', '=', theatreId)
      .where('status', 'in', [...OPEN_STATUSES])
      .executeTakeFirst();
    return toNumber(row?.n);
  }

  /** Open orders, oldest first; of one theatre, or of all when theatreId is undefined. */
  async listOpen(theatreId?: number, trx: Executor = this.db): Promise<OrderRecord[]> {
    let q = trx.selectFrom('orders').selectAll().where('status', 'in', [...OPEN_STATUSES]);
    if (theatreId !== undefined) q = q.where('theatre_id', '=', theatreId);
    const rows = await q.orderBy('placed_at').orderBy('id').execute();
    if (rows.length === 0) return [];
    const items = await trx
      .selectFrom('order_items')
      .selectAll()
      .where(
        'order_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ row, items: items.filter((i) => i.order_id === row.id) }));
  }

  /**
   * Confirmed, never-alerted orders of theatres that want unseen alerts, with their threshold;
   * theatres without their own use `defaultSeconds` when given.
   */
  async unseenCandidates(defaultSeconds?: number): Promise<Array<{ id: number; confirmedAt: string; alertSeconds: number }>> {
    let q = this.db
      .selectFrom('orders')
      .innerJoin('theatres', 'theatres.id', 'orders.theatre_id')
      .select(['orders.id', 'orders.confirmed_at', 'theatres.unseen_alert_seconds'])
      .where('orders.status', '=', 'confirmed')
      .where('orders.unseen_alerted_at', 'is', null);
    if (defaultSeconds === undefined) q = q.where('theatres.unseen_alert_seconds', 'is not', null);
    const rows = await q.orderBy('orders.id').execute();
    return rows.flatMap((r) => {
      const seconds = r.unseen_alert_seconds ?? defaultSeconds;
      return r.confirmed_at !== null && seconds !== undefined ? [{ id: r.id, confirmedAt: r.confirmed_at, alertSeconds: seconds }] : [];
    });
  }

  /** Claims the unseen alert of a still-confirmed order; false if it was seen or claimed meanwhile. */
  async claimUnseenAlert(trx: Transaction, orderId: number, at: string): Promise<boolean> {
    const r = await trx
      .updateTable('orders')
      .set({ unseen_alerted_at: at })
      .where('id', '=', orderId)
      .where('status', '=', 'confirmed')
      .where('unseen_alerted_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async findIdempotent(keyHash: string): Promise<IdempotencyKeyTable | null> {
    const row = await this.db.selectFrom('idempotency_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
    return row ?? null;
  }

  async insertIdempotent(trx: Transaction, row: IdempotencyKeyTable): Promise<void> {
    await trx.insertInto('idempotency_keys').values(row).execute();
  }

  async pruneIdempotent(olderThan: string): Promise<number> {
    const r = await this.db.deleteFrom('idempotency_keys').where('created_at', '<', olderThan).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
