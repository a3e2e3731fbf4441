import type { OrderView } from '../../../src/protocol/index.js';

/*
 * Printing kitchen tickets (GET /api/orders/<id>/kot, SPEC §6) from the dashboard. The ticket
 * loads in a hidden frame with `?print=1`, and its own script prints it: the browser asks
 * before each print unless it was started for kiosk printing (docs/web.md, counter PC).
 *
 * Auto-print is a setting of this browser (localStorage). It prints each newly confirmed order
 * once: the ids printed are remembered, so a reconnect that replays `order.confirmed`, a second
 * look at the same event or a reload never prints an order again.
 */

const AUTO_PRINT_KEY = 's2f.kot.autoPrint';
const PRINTED_KEY = 's2f.kot.printed';
/** Enough for a long day at a busy counter; the oldest ids go first. */
const MAX_REMEMBERED = 500;
/** A frame whose print never reported back is removed after this long. */
const FRAME_LIFETIME_MS = 120_000;

export const kotUrl = (orderId: number, print = false): string => `/api/orders/${orderId}/kot${print ? '?print=1' : ''}`;

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: the setting is off and nothing is remembered
  }
}

export function autoPrintEnabled(): boolean {
  return storage()?.getItem(AUTO_PRINT_KEY) === 'on';
}

export function setAutoPrint(on: boolean): void {
  const s = storage();
  if (!s) return;
  if (on) s.setItem(AUTO_PRINT_KEY, 'on');
  else s.removeItem(AUTO_PRINT_KEY);
}

function printedIds(): number[] {
  try {
    const ids: unknown = JSON.parse(storage()?.getItem(PRINTED_KEY) ?? '[]');
    return Array.isArray(ids) ? ids.filter((id): id is number => typeof id === 'number') : [];
  } catch {
    return [];
  }
}

export function wasPrinted(orderId: number): boolean {
  return printedIds().includes(orderId);
}

/** Remembers that `orderId`'s ticket was printed (by hand or automatically). */
export function rememberPrinted(orderId: number): void {
  const ids = printedIds().filter((id) => id !== orderId);
  ids.push(orderId);
  storage()?.setItem(PRINTED_KEY, JSON.stringify(ids.slice(-MAX_REMEMBERED)));
}

/** Prints the order's ticket through a hidden frame of this page; the frame goes once printed. */
export function printKot(orderId: number): void {
  const frame = document.createElement('iframe');
  frame.className = 'kot-frame';
  frame.title = `Kitchen ticket ${orderId}`;
  frame.tabIndex = -1;
  frame.setAttribute('aria-hidden', 'true');
  // Off screen but laid out at the ticket's width (80 mm), so it prints as it would on its own.
  Object.assign(frame.style, { position: 'fixed', left: '-10000px', top: '0', width: '302px', height: '600px', border: '0' });
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    clearTimeout(timer);
    frame.remove();
  };
  const timer = setTimeout(remove, FRAME_LIFETIME_MS);
  frame.addEventListener('load', () => frame.contentWindow?.addEventListener('afterprint', () => setTimeout(remove, 1_000)));
  frame.src = kotUrl(orderId, true);
  document.body.append(frame);
  rememberPrinted(orderId);
}

/**
 * Called for every `order.confirmed` the dashboard receives: prints the ticket if this browser
 * auto-prints and it was not printed before. @returns whether it printed.
 */
export function autoPrintNewOrder(order: Pick<OrderView, 'id'>): boolean {
  if (!autoPrintEnabled() || wasPrinted(order.id)) return false;
  printKot(order.id);
  return true;
}
