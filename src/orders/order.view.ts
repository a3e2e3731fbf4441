import type { Selectable } from 'kysely';
import type { OrderView } from '../protocol/index.js';
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
  };
}
