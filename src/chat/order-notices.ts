import type { Transaction } from '../db/executor.js';
import { queueWork } from '../db/unit-of-work.js';
import type { OrderView } from '../orders/order.view.js';
import { OrderRepository } from '../orders/order.repository.js';
import { normalisePhone } from '../shared/phone.js';
import { emitChatMessages } from './chat.events.js';
import { ChatRepository } from './chat.repository.js';
import type { TemplateKind } from './chat.table.js';
import { toMessageView, type ChatMessageView } from './chat.view.js';
import { UnknownPhoneRepository, type UnknownPhoneCap } from './unknown-phone.repository.js';
import { OUTBOUND_QUEUE } from './outbound-sender.js';
import { WHATSAPP_DEFAULTS } from './whatsapp.config.js';

const DEFAULT_UNKNOWN_PHONE_CAP: UnknownPhoneCap = { cap: WHATSAPP_DEFAULTS.unknownPhoneCap, windowMs: WHATSAPP_DEFAULTS.unknownPhoneWindowMs };

const rupees = (paise: number) => `Rs ${(paise / 100).toFixed(2)}`;

interface Notice {
  phone: string;
  /** The guest is known by this very order: it was paid online (confirmed in this transaction). */
  paidByThisOrder?: boolean;
  kind: TemplateKind;
  key: string;
  params: string[];
  text: string;
}

/**
 * Enqueues the WhatsApp template an order event calls for, in the transaction that emits the
 * event, so it is sent exactly when the event commits and never twice (the event is emitted once
 * per order; `notice_key` is a second guard). The message is only stored here, `queued`; the
 * OutboundSender delivers it after commit, so a slow WhatsApp never holds an order back.
 *
 * Each message belongs to the conversation of the order's theatre. A number that has neither paid
 * nor written to us gets at most `WHATSAPP_UNKNOWN_PHONE_CAP` of them a day (default 3); the
 * others are not stored, counted as refused (whatsapp_unknown_phones.refused) and reported to
 * `onCapped` (the scan2food_whatsapp_capped_total metric).
 *
 * Template body parameters: order_confirmed and order_refunded {{1}} order id, {{2}} amount;
 * unseen_order {{1}} order id, {{2}} seat, {{3}} minutes waiting.
 */
export function orderNotices(opts: { unknownPhoneCap?: UnknownPhoneCap; onCapped?: () => void } = {}) {
  const cap = opts.unknownPhoneCap ?? DEFAULT_UNKNOWN_PHONE_CAP;
  return (trx: Transaction, type: string, order: OrderView, at: Date) => enqueueOrderNotice(trx, type, order, at, cap, opts.onCapped ?? (() => undefined));
}

async function enqueueOrderNotice(trx: Transaction, type: string, order: OrderView, at: Date, cap: UnknownPhoneCap, onCapped: () => void): Promise<void> {
  const notices = await noticesFor(trx, type, order, at);
  if (notices.length === 0) return;
  const repo = new ChatRepository(trx);
  const unknownPhones = new UnknownPhoneRepository(trx);
  const iso = at.toISOString();
  const stored: ChatMessageView[] = [];
  for (const n of notices) {
    // Alerts go to numbers the theatre configured itself; the others to whoever placed the order.
    if (n.kind !== 'unseen_order' && !n.paidByThisOrder && !(await unknownPhones.isKnown(n.phone)) && !(await unknownPhones.admit(trx, n.phone, at, cap))) {
      onCapped();
      continue;
    }
    const row = await repo.insert(trx, {
      phone: n.phone,
      theatre_id: order.theatreId,
      direction: 'template',
      text: n.text,
      status: 'queued',
      order_id: order.id,
      template: n.kind,
      template_params: JSON.stringify(n.params),
      notice_key: n.key,
      attempts: 0,
      next_attempt_at: iso,
      created_at: iso,
      updated_at: iso,
    });
    if (!row) continue;
    await repo.touchConversation(trx, order.theatreId, n.phone, 'template', n.text, iso);
    stored.push(toMessageView(row));
  }
  if (stored.length > 0) queueWork(trx, OUTBOUND_QUEUE);
  await emitChatMessages(trx, stored, at);
}

async function noticesFor(trx: Transaction, type: string, order: OrderView, at: Date): Promise<Notice[]> {
  const id = String(order.id);
  const orders = new OrderRepository(trx);
  if (type === 'order.confirmed' || type === 'order.refunded') {
    const phone = await orders.phoneOf(order.id);
    if (phone === null) return [];
    return type === 'order.confirmed'
      ? [{ phone, paidByThisOrder: order.paymentMethod === 'online', kind: 'order_confirmed', key: `order_confirmed:${id}`, params: [id, rupees(order.amount)], text: `Order #${id} confirmed: ${rupees(order.amount)}` }]
      : [{ phone, kind: 'order_refunded', key: `order_refunded:${id}`, params: [id, rupees(order.amount)], text: `Order #${id} refunded: ${rupees(order.amount)}` }];
  }
  if (type === 'order.unseen') {
    const theatre = await trx.selectFrom('theatres').select('notification_phones').where('id', '=', order.theatreId).executeTakeFirst();
    const seat = `${order.seat.hall} ${order.seat.row} ${order.seat.name}`;
    const confirmedAt = (await orders.find(order.id))?.row.confirmed_at;
    const minutes = confirmedAt ? String(Math.max(0, Math.round((at.getTime() - Date.parse(confirmedAt)) / 60_000))) : '0';
    return notificationPhones(theatre?.notification_phones).map((phone) => ({
      phone,
      kind: 'unseen_order' as const,
      key: `unseen_order:${id}:${phone}`,
      params: [id, seat, minutes],
      text: `Alert: order #${id} (${seat}) not seen for ${minutes} min`,
    }));
  }
  return [];
}

/** theatres.notification_phones is a JSON array of phone numbers; what is not a valid number is ignored. */
function notificationPhones(json: string | undefined): string[] {
  try {
    const list: unknown = JSON.parse(json ?? '[]');
    if (!Array.isArray(list)) return [];
    return [...new Set(list.flatMap((p) => (typeof p === 'string' ? [normalisePhone(p)].filter((n): n is string => n !== null) : [])))];
  } catch {
    return [];
  }
}
