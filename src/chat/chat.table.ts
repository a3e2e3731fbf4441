import type { Generated } from 'kysely';

// Direction and status are the contract's (src/protocol).
import type { ChatDirection, ChatStatus } from '../protocol/index.js';

export type { ChatDirection, ChatStatus };

/** Which configured template an automatic message uses (names come from the configuration). */
export type TemplateKind = 'order_confirmed' | 'order_refunded' | 'unseen_order' | 'refund_code' | 'refund_request';

export interface ChatMessageTable {
  id: Generated<number>;
  /** E.164 with the leading `+`. */
  phone: string;
  /** The conversation the message belongs to (see ChatConversationTable); null = unassigned (admins only). */
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

/** Theatre id of the conversations no theatre owns (0, not NULL, so the (theatre_id, phone) key stays unique on both engines). */
export const UNASSIGNED_THEATRE = 0;

/** One conversation per (theatre, phone): a guest who ordered at two theatres has two, each theatre sees only its own. */
export interface ChatConversationTable {
  /** UNASSIGNED_THEATRE for a number with no confirmed order when it wrote (admins only). */
  theatre_id: number;
  phone: string;
  unread: number;
  /** 0/1: the guest wrote last and nobody has answered yet. */
  reply_required: number;
  last_message_at: string;
  last_text: string;
}

/**
 * Automatic messages sent to a number that has neither paid nor written to us, per window: anyone
 * can place a cash order with any number, so without this the service could be made to message
 * arbitrary numbers at volume.
 */
export interface WhatsAppUnknownPhoneTable {
  phone: string;
  /** Start of the current window (ISO). */
  window_start: string;
  /** Messages let through in the current window (at most the cap). */
  sent: number;
  /** Messages refused because the cap was reached, ever (a running count for alerts). */
  refused: number;
}
