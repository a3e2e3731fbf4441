import type { Actor } from '../accounts/actor.js';
import { isUniqueViolation } from '../db/dialect.js';
import { appError } from '../http/errors.js';
import { isSafeText, sanitizeText } from '../http/safe-text.js';
import { normalisePhone } from '../shared/phone.js';
import { queueWork, type UnitOfWork } from '../db/unit-of-work.js';
import { emitChatMessages } from './chat.events.js';
import { ChatRepository, type ConversationTheatre } from './chat.repository.js';
import { OUTBOUND_QUEUE } from './outbound-sender.js';
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
  /** Writes commit through it (and wake the relay, and the WhatsApp sender for a queued reply). */
  uow: UnitOfWork;
  clock: () => Date;
}

/**
 * Conversations between guests and theatres. A conversation is keyed by (theatre, phone): a
 * guest who ordered at two theatres has two, and each theatre's staff see and write to their own
 * only (anything else is "not found", so phones reveal nothing); admins see all. An incoming
 * message goes to the theatre of the phone's latest confirmed order (unassigned without one: admins
 * only), so placing an unpaid order moves nothing. Every stored message is appended as
 * `chat.message` in its own transaction.
 */
export class ChatService {
  private readonly repo: ChatRepository;

  constructor(private readonly deps: Deps) {
    this.repo = new ChatRepository(deps.uow.reader);
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

  /**
   * Staff read their theatre's conversation with `phone`. Admins read the conversation of
   * `theatreId` when given (null: the unassigned one), else every conversation of the phone.
   */
  async history(actor: Actor, phone: string, before: number | undefined, limit = HISTORY_DEFAULT_LIMIT, theatreId?: ConversationTheatre): Promise<ChatMessageView[]> {
    const scope = actor.role === 'admin' ? theatreId : await this.staffConversation(actor.theatreId, phone, theatreId);
    return this.repo.history(phone, scope, before, Math.min(Math.max(1, limit), HISTORY_MAX_LIMIT));
  }

  /** Stores a staff reply as `queued`; the OutboundSender delivers it after commit. */
  async send(actor: Actor, phone: string, text: string, theatreId?: ConversationTheatre): Promise<ChatMessageView> {
    if (text.trim().length === 0 || text.length > MAX_TEXT_CHARS) throw appError('validation_failed', `text must be 1 to ${MAX_TEXT_CHARS} characters.`);
    if (!isSafeText(text, { multiline: true })) throw appError('validation_failed', 'text must not contain control characters (other than tab and line breaks) or invalid Unicode.');
    const theatre = actor.role === 'admin' ? await this.adminTarget(phone, theatreId) : await this.staffConversation(actor.theatreId, phone, theatreId);
    const now = this.deps.clock();
    const at = now.toISOString();
    return this.deps.uow.write(async (trx) => {
      queueWork(trx, OUTBOUND_QUEUE);
      const row = await this.repo.insert(trx, {
        phone, theatre_id: theatre, direction: 'outgoing', text, status: 'queued', attempts: 0, next_attempt_at: at, created_at: at, updated_at: at,
      });
      const view = toMessageView(row!);
      await this.repo.touchConversation(trx, theatre, phone, 'outgoing', text, at);
      await emitChatMessages(trx, [view], now);
      return view;
    });
  }

  /** Sets unread to 0 (an admin without `theatreId`: on every conversation of the phone); broadcasts nothing. */
  async markRead(actor: Actor, phone: string, theatreId?: ConversationTheatre): Promise<void> {
    const scope = actor.role === 'admin' ? theatreId : await this.staffConversation(actor.theatreId, phone, theatreId);
    await this.repo.markRead(phone, scope);
  }

  /** Stores an incoming WhatsApp message once per WhatsApp id; false when it was already stored. */
  async receive(message: InboundMessage): Promise<boolean> {
    const phone = normalisePhone(`+${message.from.replace(/^\+/, '')}`);
    if (!phone) return false;
    // WhatsApp's text cannot be refused (the webhook would be retried forever): NUL, other control
    // characters and lone surrogates are cleaned so PostgreSQL stores it. The id is cleaned the same
    // way every time, so a redelivery still finds it.
    const waId = sanitizeText(message.id);
    if (await this.repo.findByWaId(waId)) return false;
    const text = sanitizeText(describeInbound(message).slice(0, MAX_TEXT_CHARS));
    const now = this.deps.clock();
    const at = now.toISOString();
    try {
      await this.deps.uow.write(async (trx) => {
        const theatreId = await this.repo.theatreForIncoming(phone, trx);
        const row = await this.repo.insert(trx, {
          phone, theatre_id: theatreId, direction: 'incoming', text, status: 'received', wa_id: waId, attempts: 0, created_at: at, updated_at: at,
        });
        await this.repo.touchConversation(trx, theatreId, phone, 'incoming', text, at);
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
    const waId = sanitizeText(update.waId);
    const changes = { status: update.status, updated_at: now.toISOString(), ...(update.error ? { error: sanitizeText(update.error.slice(0, 500)) } : {}) };
    return this.deps.uow.write(async (trx) => {
      // Callbacks for one message arrive in parallel on several processes: the update is
      // conditional on the status it was judged against, and a loser judges again what won.
      for (;;) {
        const row = await this.repo.findByWaId(waId, trx);
        if (!row || row.direction === 'incoming' || !canAdvance(row.status, update.status)) return false;
        const updated = await this.repo.updateIfStatus(trx, row.id, row.status, changes);
        if (!updated) continue;
        await emitChatMessages(trx, [toMessageView(updated)], now);
        return true;
      }
    });
  }

  /** Staff address their own theatre's conversation, and only one that exists; anything else is not_found. */
  private async staffConversation(own: number, phone: string, requested: ConversationTheatre | undefined): Promise<number> {
    if ((requested !== undefined && requested !== own) || !(await this.repo.conversationExists(own, phone))) {
      throw appError('not_found', 'No such conversation.');
    }
    return own;
  }

  /**
   * Which conversation an admin writes to: the `theatreId` given (null: unassigned), else the
   * phone's only conversation (unassigned when it has none); with several, the admin must say.
   */
  private async adminTarget(phone: string, requested: ConversationTheatre | undefined): Promise<ConversationTheatre> {
    if (requested !== undefined) {
      if (requested !== null && !(await this.repo.theatreExists(requested))) throw appError('not_found', 'No such theatre.');
      return requested;
    }
    const theatres = await this.repo.theatresOfPhone(phone);
    if (theatres.length > 1) {
      throw appError('validation_failed', 'This number has conversations with several theatres: say which with theatreId (null for the unassigned one).');
    }
    return theatres[0] ?? null;
  }
}
