import { randomUUID } from 'node:crypto';
import { signHubBody } from '../src/chat/whatsapp.webhook.js';
import { statusUpdate, textMessage, whatsappWebhook } from '../test/support/whatsapp-webhook.js';
import type { Cluster } from './cluster.js';
import { guestAddress, guestPhone, type Guests } from './guests.js';
import type { ChatEntry, Ledger } from './ledger.js';

interface ChatGuest {
  phone: string;
  /** The one theatre this guest has paid at. */
  home: number;
  ready: boolean;
}

const GUESTS_PER_THEATRE = 6;

/**
 * Guests who paid at one theatre and write to it over WhatsApp, staff answering from the chat
 * box, WhatsApp's delivery receipts coming back, and now and then someone placing an unpaid
 * order at the other theatre with a guest's phone (finding 1): that must move nothing.
 */
export class ChatLoad {
  private readonly guests: ChatGuest[] = [];
  private statused = 0;

  constructor(
    private readonly c: Cluster,
    private readonly ledger: Ledger,
    private readonly orders: Guests,
  ) {
    for (const t of c.seeded.theatres) for (let k = 0; k < GUESTS_PER_THEATRE; k++) this.guests.push({ phone: guestPhone(), home: t.id, ready: false });
  }

  /** One step: a guest writes (sometimes delivered twice), staff reply, receipts come back. */
  async tick(): Promise<void> {
    const guest = this.guests[Math.floor(Math.random() * this.guests.length)]!;
    if (!guest.ready) return this.becomeGuest(guest);
    const roll = Math.random();
    if (roll < 0.45) await this.guestWrites(guest);
    else if (roll < 0.85) await this.staffReplies(guest);
    else if (roll < 0.92) await this.hijack(guest);
    await this.receipts();
  }

  /** A paid order at the guest's home theatre: from then on the conversation is theirs. */
  private async becomeGuest(guest: ChatGuest): Promise<void> {
    const theatre = this.c.seeded.theatres.find((t) => t.id === guest.home)!;
    const order = await this.orders.place(theatre, guest.phone, 'online', 'chat-guest');
    if (!order) return;
    const paid = await this.orders.pay(order, 'capture');
    guest.ready = paid !== null;
  }

  private async guestWrites(guest: ChatGuest): Promise<void> {
    const text = `soak in ${randomUUID()}`;
    const message = textMessage(guest.phone, text, `wamid.SOAK${randomUUID().replaceAll('-', '')}`);
    const body = whatsappWebhook({ messages: [message] });
    const headers = { 'x-hub-signature-256': signHubBody(body, this.c.secrets.whatsappApp) };
    const i = this.c.http.pick();
    this.ledger.chat.push({ direction: 'in', text, phone: guest.phone, theatreId: guest.home, waId: message.id });
    // Meta redelivers a webhook it got no timely answer for: sometimes to another process at once.
    await Promise.all([
      this.orders.call('POST /api/whatsapp/webhook', i, 'POST', '/api/whatsapp/webhook', { raw: body, headers }),
      Math.random() < 0.25 ? this.orders.call('POST /api/whatsapp/webhook (redelivery)', this.c.http.other(i), 'POST', '/api/whatsapp/webhook', { raw: body, headers }) : null,
    ]);
  }

  private async staffReplies(guest: ChatGuest): Promise<void> {
    const cookie = this.c.staff.find((s) => s.theatreId === guest.home)!.cookie;
    const text = `soak out ${randomUUID()}`;
    const entry: ChatEntry = { direction: 'out', text, phone: guest.phone, theatreId: guest.home };
    this.ledger.chat.push(entry);
    const r = await this.orders.call('POST /api/chat/users/:phone/messages', this.c.http.pick(), 'POST', `/api/chat/users/${encodeURIComponent(guest.phone)}/messages`, { cookie, body: { text } });
    entry.accepted = r?.status === 201;
    // The guest paid at this theatre: its staff may always answer (finding 1: another theatre's
    // unpaid order took the conversation and this answered 404).
    if (r?.status === 404) this.ledger.violation("staff refused on their own paying guest's conversation", `theatre ${guest.home} answering ${guest.phone}: 404`);
  }

  /** Someone else orders at the other theatre with this guest's phone and never pays. */
  private async hijack(guest: ChatGuest): Promise<void> {
    const other = this.c.seeded.theatres.find((t) => t.id !== guest.home)!;
    const order = await this.orders.place(other, guest.phone, 'online', 'unpaid-order-with-a-chat-guest-phone');
    if (order) await this.orders.startPayment(order);
  }

  /** WhatsApp's `sent` and `delivered` receipts for what the fake Graph API accepted so far. */
  private async receipts(): Promise<void> {
    const fresh = this.c.graph.accepted.slice(this.statused);
    this.statused += fresh.length;
    for (const a of fresh) {
      if (!a.waId) continue;
      for (const status of ['sent', 'delivered'] as const) {
        const body = whatsappWebhook({ statuses: [statusUpdate(a.waId, status, String(a.body.to))] });
        const headers = { 'x-hub-signature-256': signHubBody(body, this.c.secrets.whatsappApp), 'x-forwarded-for': guestAddress() };
        await this.orders.call('POST /api/whatsapp/webhook (status)', this.c.http.pick(), 'POST', '/api/whatsapp/webhook', { raw: body, headers });
      }
    }
  }
}
