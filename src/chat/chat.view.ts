import type { Selectable } from 'kysely';
import type { ChatDirection, ChatMessageTable, ChatStatus } from './chat.table.js';

export type ChatMessageRow = Selectable<ChatMessageTable>;

/** `chat.message` data and the API's message shape (SPEC §3). */
export interface ChatMessageView {
  id: number;
  phone: string;
  theatreId: number | null;
  direction: ChatDirection;
  text: string;
  status: ChatStatus;
  at: string;
  orderId?: number;
}

/** One conversation in a chat snapshot and `GET /api/chat/users`. */
export interface ConversationView {
  phone: string;
  theatreId: number | null;
  unread: number;
  replyRequired: boolean;
  lastMessageAt: string;
  lastText: string;
}

export function toMessageView(row: ChatMessageRow): ChatMessageView {
  const view: ChatMessageView = {
    id: row.id,
    phone: row.phone,
    theatreId: row.theatre_id,
    direction: row.direction,
    text: row.text,
    status: row.status,
    at: row.created_at,
  };
  if (row.order_id !== null) view.orderId = row.order_id;
  return view;
}
