import type { Generated } from 'kysely';

export type ChatDirection = 'incoming' | 'outgoing' | 'template';
/** `received` for incoming messages; the others are the life of an outgoing one (SPEC §3). */
export type ChatStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
/** Which configured template an automatic message uses (names come from the configuration). */
export type TemplateKind = 'order_confirmed' | 'order_refunded' | 'unseen_order';

export interface ChatMessageTable {
  id: Generated<number>;
  /** E.164 with the leading `+`. */
  phone: string;
  /** The conversation's theatre when the message was stored (the phone's latest order); null = none. */
  theatre_id: number | null;
  direction: ChatDirection;
  text: string;
  status: ChatStatus;
  order_id: number | null;
  /** WhatsApp's message id (wamid): of an incoming message, or returned when ours was accepted. */
  wa_id: string | null;
  template: TemplateKind | null;
  /** JSON array of the template's body parameters. */
  template_params: string | null;
  /** Makes automatic messages idempotent: `order_confirmed:<orderId>` and the like. */
  notice_key: string | null;
  /** Send attempts made so far. */
  attempts: number;
  /** A queued message is due at this time (ISO); the retry backoff moves it. */
  next_attempt_at: string | null;
  /** A sender process holds the message until then; an expired lease means it may be retried. */
  lease_until: string | null;
  /** Why the last attempt failed (never contains a credential). */
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface ChatConversationTable {
  phone: string;
  unread: number;
  /** 0/1: the guest wrote last and nobody has answered yet. */
  reply_required: number;
  last_message_at: string;
  last_text: string;
}
