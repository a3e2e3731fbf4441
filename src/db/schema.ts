import type { AccountTable, SessionTable } from '../accounts/account.table.js';
import type { ChatConversationTable, ChatMessageTable } from '../chat/chat.table.js';
import type { IdempotencyKeyTable, OrderItemTable, OrderTable } from '../orders/order.table.js';
import type { PaymentTable, WebhookEventTable } from '../payments/payment.table.js';
import type { StreamEventTable, StreamHeadTable } from '../streams/event.table.js';
import type {
  HallTable,
  MenuCategoryTable,
  MenuItemTable,
  SeatRowTable,
  SeatTable,
  TheatreTable,
} from '../theatres/theatre.table.js';

/** Every table, as Kysely sees it. Each feature owns its row types in `<feature>.table.ts`. */
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
  stream_heads: StreamHeadTable;
  stream_events: StreamEventTable;
  chat_messages: ChatMessageTable;
  chat_conversations: ChatConversationTable;
}
