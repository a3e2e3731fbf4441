import type { Executor } from '../streams/event.repository.js';

/** Whether an order id names an order (asked before opening a payment socket with a key). */
export async function orderExists(db: Executor, id: string): Promise<boolean> {
  if (!/^\d{1,15}$/.test(id)) return false;
  const row = await db.selectFrom('orders').select('id').where('id', '=', Number(id)).executeTakeFirst();
  return row !== undefined;
}
