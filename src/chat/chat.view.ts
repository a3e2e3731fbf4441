import type { Selectable } from 'kysely';
import type { ChatMessageView, ConversationView } from '../protocol/index.js';
import type { ChatMessageTable } from './chat.table.js';

/** `chat.message` data, the API's message shape and a chat snapshot's conversation: the contract's own types. */
export type { ChatMessageView, ConversationView };

export type ChatMessageRow = Selectable<ChatMessageTable>;

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
