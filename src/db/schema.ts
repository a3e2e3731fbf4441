import type { AccountTable, SessionTable } from '../accounts/account.table.js';
import type { ChatConversationTable, ChatMessageTable, WhatsAppUnknownPhoneTable } from '../chat/chat.table.js';
import type { DocumentCounterTable } from '../invoices/invoice.table.js';
import type { OrderFeedbackTable } from '../feedback/feedback.table.js';
import type { IdempotencyKeyTable, OrderItemTable, OrderTable } from '../orders/order.table.js';
import type { PaymentTable, RefundTable, WebhookEventTable } from '../payments/payment.table.js';
import type { RefundApprovalTable, RefundRequestTable } from '../refunds/refund.table.js';
import type { StreamEventTable, StreamHeadTable } from '../streams/event.table.js';
import type {
  HallTable,
  MenuCategoryTable,
  MenuItemTable,
  SeatRowTable,
  SeatTable,
  TheatreTable,
} from '../theatres/theatre.table.js';

/**
 * Every table, as Kysely sees it. Each feature owns its row types in `<feature>.table.ts`.
 *
 * Conventions shared by every table:
 * - ids are INTEGER auto-increment (serial on PostgreSQL, int4: pg returns it as a number,
 *   unlike int8 which comes back as a string); session ids are token hashes (text).
 * - booleans are INTEGER 0/1: better-sqlite3 cannot bind JS booleans, and one representation
 *   keeps a single code path for both dialects; repositories convert at the edge.
 * - timestamps are ISO-8601 UTC text from Date#toISOString() (`2026-11-29T18:03:11.120Z`):
 *   fixed width, so text order is time order on both dialects; it is the format the API and
 *   events carry, so nothing converts on the way out; and neither driver rewrites it (pg would
 *   turn timestamptz into Date and int8 epoch ms into strings).
 * - money is INTEGER paise.
 * - JSON values are TEXT.
 */
export interface Database {
  theatres: TheatreTable;
  halls: HallTable;
  seat_rows: SeatRowTable;
  seats: SeatTable;
  menu_categories: MenuCategoryTable;
  menu_items: MenuItemTable;
  accounts: AccountTable;
  sessions: SessionTable;
  orders: OrderTable;
  order_items: OrderItemTable;
  idempotency_keys: IdempotencyKeyTable;
  payments: PaymentTable;
  webhook_events: WebhookEventTable;
  refunds: RefundTable;
  stream_heads: StreamHeadTable;
  stream_events: StreamEventTable;
  chat_messages: ChatMessageTable;
  chat_conversations: ChatConversationTable;
  whatsapp_unknown_phones: WhatsAppUnknownPhoneTable;
  document_counters: DocumentCounterTable;
  refund_approvals: RefundApprovalTable;
  refund_requests: RefundRequestTable;
  order_feedback: OrderFeedbackTable;
}
