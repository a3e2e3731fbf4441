import type { Selectable } from 'kysely';
import type { OrderView, StaffRef, TaxAmount } from '../protocol/index.js';
import type { OrderItemTable, OrderTable } from './order.table.js';

/** An order as SPEC §3 shows it, in events and in the API: the contract's own type. */
export type { OrderView };

export interface OrderRecord {
  row: Selectable<OrderTable>;
  items: Array<Selectable<OrderItemTable>>;
}

export function toOrderView({ row, items }: OrderRecord): OrderView {
  return {
    id: row.id,
    theatreId: row.theatre_id,
    seat: { id: row.seat_id, name: row.seat_name, row: row.row_name, hall: row.hall_name },
    items: items.map((i) => ({ itemId: i.item_id, name: i.name, quantity: i.quantity, price: i.price })),
    amount: row.amount,
    paymentMethod: row.payment_method,
    paymentStatus: row.payment_status,
    status: row.status,
    placedAt: row.placed_at,
    maxTime: row.max_time,
    subtotal: row.subtotal,
    discount: row.discount,
    taxes: JSON.parse(row.taxes) as TaxAmount[],
    total: row.amount,
    refundedAmount: row.refunded_amount,
    invoiceNumber: row.invoice_number,
    seenBy: staffRef(row.seen_by_id, row.seen_by_username),
    seenAt: row.seen_at,
    deliveredBy: staffRef(row.delivered_by_id, row.delivered_by_username),
    deliveredAt: row.delivered_at,
  };
}

const staffRef = (id: number | null, username: string | null): StaffRef | null => (id === null || username === null ? null : { id, username });
