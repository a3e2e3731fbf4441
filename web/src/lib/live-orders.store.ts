import { isOpenStatus, type LiveOrdersMessage, type OrderView, type PresenceView } from '../../../src/protocol/index.js';

/** What a dashboard shows: the open orders by id, alerts, and (admins) presence by theatre. */
export interface LiveOrders {
  orders: Record<number, OrderView>;
  /** Orders flagged by `order.unseen`, until seen or closed. */
  unseen: Record<number, true>;
  presence: Record<number, PresenceView>;
}

export const EMPTY_LIVE: LiveOrders = { orders: {}, unseen: {}, presence: {} };

/** What changes a dashboard: a message of the live-orders socket, or the answer to a staff action. */
export type LiveAction = { kind: 'message'; message: LiveOrdersMessage } | { kind: 'order'; order: OrderView };

/** The dashboard's reducer (useReducer). */
export function reduceLive(state: LiveOrders, action: LiveAction): LiveOrders {
  return action.kind === 'message' ? applyLiveMessage(state, action.message) : applyOrder(state, action.order);
}

/**
 * Applies one live-orders message. A snapshot (or a reset) replaces everything; an event
 * replaces its order by id, and an order that is no longer open leaves the board.
 */
export function applyLiveMessage(state: LiveOrders, message: LiveOrdersMessage): LiveOrders {
  switch (message.type) {
    case 'snapshot': {
      const orders: Record<number, OrderView> = {};
      for (const o of message.data.orders) if (isOpenStatus(o.status)) orders[o.id] = o;
      const unseen: Record<number, true> = {};
      for (const id of Object.keys(state.unseen)) if (orders[Number(id)]?.status === 'confirmed') unseen[Number(id)] = true;
      const presence = message.data.presence;
      return { orders, unseen, presence: presence ? Object.fromEntries(presence.map((p) => [p.theatreId, p])) : state.presence };
    }
    case 'presence':
      return { ...state, presence: { ...state.presence, [message.data.theatreId]: message.data } };
    case 'order.unseen': {
      const next = applyOrder(state, message.data.order);
      return message.data.order.status === 'confirmed' ? { ...next, unseen: { ...next.unseen, [message.data.order.id]: true } } : next;
    }
    case 'order.confirmed':
    case 'order.seen':
    case 'order.delivered':
    case 'order.cancelled':
    case 'order.refunded':
    case 'order.updated':
    case 'order.refundRequested':
      return applyOrder(state, message.data.order);
    default:
      return state;
  }
}

/** An order's new state (from an event, or the answer to a staff action) replaces the old one. */
export function applyOrder(state: LiveOrders, order: OrderView): LiveOrders {
  const orders = { ...state.orders };
  const unseen = { ...state.unseen };
  if (isOpenStatus(order.status)) orders[order.id] = order;
  else delete orders[order.id];
  if (order.status !== 'confirmed') delete unseen[order.id];
  return { ...state, orders, unseen };
}

/** Oldest first: the order waiting longest is served first. */
export function sortedOrders(state: LiveOrders): OrderView[] {
  return Object.values(state.orders).sort((a, b) => a.placedAt.localeCompare(b.placedAt) || a.id - b.id);
}
