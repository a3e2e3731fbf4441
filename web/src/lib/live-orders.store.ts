import type { Order, Presence, ServerMessage } from './types.js';

/** What a dashboard shows: the open orders by id, alerts, and (admins) presence by theatre. */
export interface LiveOrders {
  orders: Record<number, Order>;
  /** Orders flagged by `order.unseen`, until seen or closed. */
  unseen: Record<number, true>;
  presence: Record<number, Presence>;
}

export const EMPTY_LIVE: LiveOrders = { orders: {}, unseen: {}, presence: {} };

const OPEN = new Set(['confirmed', 'seen']);

/**
 * Applies one live-orders message. A snapshot (or a reset) replaces everything; an event
 * replaces its order by id, and an order that is no longer open leaves the board.
 */
export function applyLiveMessage(state: LiveOrders, message: ServerMessage): LiveOrders {
  if (message.type === 'snapshot') {
    const data = (message.data ?? {}) as { orders?: Order[]; presence?: Presence[] };
    const orders: Record<number, Order> = {};
    for (const o of data.orders ?? []) if (OPEN.has(o.status)) orders[o.id] = o;
    const presence: Record<number, Presence> = {};
    for (const p of data.presence ?? []) presence[p.theatreId] = p;
    const unseen: Record<number, true> = {};
    for (const id of Object.keys(state.unseen)) if (orders[Number(id)]?.status === 'confirmed') unseen[Number(id)] = true;
    return { orders, unseen, presence: data.presence ? presence : state.presence };
  }
  if (message.type === 'presence') {
    const p = message.data as Presence;
    return { ...state, presence: { ...state.presence, [p.theatreId]: p } };
  }
  if (!message.type.startsWith('order.')) return state;
  const order = (message.data as { order?: Order } | undefined)?.order;
  if (!order) return state;
  const orders = { ...state.orders };
  const unseen = { ...state.unseen };
  if (OPEN.has(order.status)) orders[order.id] = order;
  else delete orders[order.id];
  if (message.type === 'order.unseen' && order.status === 'confirmed') unseen[order.id] = true;
  else if (order.status !== 'confirmed') delete unseen[order.id];
  return { ...state, orders, unseen };
}

/** Oldest first: the order waiting longest is served first. */
export function sortedOrders(state: LiveOrders): Order[] {
  return Object.values(state.orders).sort((a, b) => a.placedAt.localeCompare(b.placedAt) || a.id - b.id);
}
