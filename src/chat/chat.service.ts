import type { Actor } from '../accounts/actor.js';
import { isUniqueViolation } from '../db/dialect.js';
import { appError } from '../http/errors.js';
import { normalisePhone } from '../orders/phone.js';
import type { Executor } from '../streams/event.repository.js';
import { emitChatMessages } from './chat.events.js';
import { ChatRepository } from './chat.repository.js';
import type { ChatStatus } from './chat.table.js';
import { toMessageView, type ChatMessageView, type ConversationView } from './chat.view.js';
import { describeInbound, type InboundMessage, type StatusUpdate } from './whatsapp.webhook.js';

export const HISTORY_DEFAULT_LIMIT = 10;
export const HISTORY_MAX_LIMIT = 100;
export const MAX_TEXT_CHARS = 4096;

/** Forward-only order of outgoing statuses; `failed` may replace any but `read`. */
const RANK: Record<ChatStatus, number> = { received: 0, queued: 0, sent: 1, delivered: 2, read: 3, failed: 0 };

export function canAdvance(from: ChatStatus, to: ChatStatus): boolean {
  if (from === to) return false;
  if (to === 'failed') return from !== 'read';
  if (from === 'failed') return false;
  return RANK[to] > RANK[from];
}

interface Deps {
  db: Executor;
  clock: () => Date;
}

/**
 * Conversations between guests and their theatre. A conversation is keyed by the guest's phone
 * (E.164) and belongs to the theatre of that phone's latest order; staff see and write to their
 * theatre's conversations only (anything else is "not found"), admins to all. Every stored
 * message is appended as `chat.message` in its own transaction.
 */
export class ChatService {
  private readonly repo: ChatRepository;

  constructor(private readonly deps: Deps) {
    this.repo = new ChatRepository(deps.db);
  }

  /** The E.164 number of `input`, or a not_found (a path names a conversation) / bad_request error. */
  static phone(input: string, onInvalid: 'not_found' | 'bad_request' = 'bad_request'): string {
    const raw = input.trim();
    const phone = normalisePhone(/^\d{11,15}$/.test(raw) ? `+${raw}` : raw);
    if (!phone) throw appError(onInvalid, onInvalid === 'not_found' ? 'No such conversation.' : 'phone is not a valid phone number.');
    return phone;
  }

  async conversations(actor: Actor): Promise<ConversationView[]> {
    return this.repo.conversations(actor.role === 'admin' ? undefined : actor.theatreId);
  }

  async history(actor: Actor, phone: string, before: number | undefined, limit = HISTORY_DEFAULT_LIMIT): Promise<ChatMessageView[]> {
    await this.assertVisible(actor, phone);
    return this.repo.history(phone, before, Math.min(Math.max(1, limit), HISTORY_MAX_LIMIT));
  }

  /** Stores a staff reply as `queued`; the OutboundSender delivers it after commit. */
  async send(actor: Actor, phone: string, text: string): Promise<ChatMessageView> {
    if (text.trim().length === 0 || text.length > MAX_TEXT_CHARS) throw appError('validation_failed', `text must be 1 to ${MAX_TEXT_CHARS} characters.`);
    const theatreId = await this.assertVisible(actor, phone);
    const now = this.deps.clock();
    const at = now.toISOString();
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await this.repo.insert(trx, {
        phone, theatre_id: theatreId, direction: 'outgoing', text, status: 'queued', attempts: 0, next_attempt_at: at, created_at: at, updated_at: at,
      });
      const view = toMessageView(row!);
      await this.repo.touchConversation(trx, phone, 'outgoing', text, at);
      await emitChatMessages(trx, [view], now);
      return view;
    });
  }

  /** Sets unread to 0; broadcasts nothing (each client clears its own badge). */
  async markRead(actor: Actor, phone: string): Promise<void> {
    await this.assertVisible(actor, phone);
    if (!(await this.repo.markRead(phone)) && actor.role !== 'admin') throw appError('not_found', 'No such conversation.');
  }

  /** Stores an incoming WhatsApp message once per WhatsApp id; false when it was already stored. */
  async receive(message: InboundMessage): Promise<boolean> {
    const phone = normalisePhone(`+${message.from.replace(/^\+/, '')}`);
    if (!phone) return false;
    if (await this.repo.findByWaId(message.id)) return false;
    const text = describeInbound(message).slice(0, MAX_TEXT_CHARS);
    const now = this.deps.clock();
    const at = now.toISOString();
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        const theatreId = await this.repo.theatreOfPhone(phone, trx);
        const row = await this.repo.insert(trx, {
          phone, theatre_id: theatreId, direction: 'incoming', text, status: 'received', wa_id: message.id, attempts: 0, created_at: at, updated_at: at,
        });
        await this.repo.touchConversation(trx, phone, 'incoming', text, at);
        await emitChatMessages(trx, [toMessageView(row!)], now);
      });
      return true;
    } catch (err) {
      // The same webhook delivered twice at once: the other delivery stored it.
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** Applies a status callback to our message with that WhatsApp id; only moves forward. */
  async applyStatus(update: StatusUpdate): Promise<boolean> {
    const now = this.deps.clock();
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await this.repo.findByWaId(update.waId, trx);
      if (!row || row.direction === 'incoming' || !canAdvance(row.status, update.status)) return false;
      const updated = await this.repo.update(trx, row.id, {
        status: update.status, updated_at: now.toISOString(), ...(update.error ? { error: update.error.slice(0, 500) } : {}),
      });
      await emitChatMessages(trx, [toMessageView(updated)], now);
      return true;
    });
  }

  /** The conversation's theatre if `actor` may see it; otherwise not_found, so phones reveal nothing. */
  private async assertVisible(actor: Actor, phone: string): Promise<number | null> {
    const theatreId = await this.repo.theatreOfPhone(phone);
    if (actor.role === 'staff' && theatreId !== actor.theatreId) throw appError('not_found', 'No such conversation.');
    return theatreId;
  }
}
