/** The shapes of the contract (SPEC §3, §4) as the browser sees them. */

export type OrderStatus = 'placed' | 'confirmed' | 'seen' | 'delivered' | 'cancelled' | 'refunded';
export type PaymentStatus = 'due' | 'created' | 'pending' | 'success' | 'failed' | 'refunded';
export type PaymentMethod = 'online' | 'cash';

export interface Order {
  id: number;
  theatreId: number;
  seat: { id: number; name: string; row: string; hall: string };
  items: Array<{ itemId: number; name: string; quantity: number; price: number }>;
  amount: number;
  paymentMethod: PaymentMethod;
  paymentStatus: PaymentStatus;
  status: OrderStatus;
  placedAt: string;
  maxTime: number;
  phone?: string;
}

export interface SeatView {
  seat: { id: number; name: string };
  row: { id: number; name: string };
  hall: { id: number; name: string };
  theatre: { id: number; name: string; cashEnabled: boolean; serviceEndTime: string | null };
  menu: Array<{ id: number; category: string; items: MenuEntry[] }>;
}

export interface MenuEntry {
  id: number;
  name: string;
  price: number;
  maxTime: number;
  available: boolean;
}

export interface Account {
  id: number;
  username: string;
  role: 'admin' | 'staff';
  theatreId: number | null;
}

export interface PaymentState {
  orderId: number;
  status: PaymentStatus;
  amount: number;
  method: PaymentMethod;
  gateway: string | null;
  /** The order's status, carried along with the payment's (delivered, cancelled…). */
  orderStatus?: OrderStatus;
}

export interface Presence {
  theatreId: number;
  online: boolean;
  connections: number;
}

export interface Theatre {
  id: number;
  name: string;
  cashEnabled: boolean;
  orderLimit: number;
  serviceEndTime: string | null;
  unseenAlertSeconds: number | null;
  notificationPhones: string[];
}

export interface MenuItem {
  id: number;
  categoryId: number;
  name: string;
  price: number;
  maxTime: number;
  available: boolean;
}

export interface MenuCategory {
  id: number;
  name: string;
  items: MenuItem[];
}

export interface Layout {
  halls: Array<{ id: number; name: string; rows: Array<{ id: number; name: string; seats: Array<{ id: number; name: string }> }> }>;
}

/** One per (theatre, phone): an admin may see a phone once per theatre; null is the unassigned one. */
export interface Conversation {
  phone: string;
  theatreId: number | null;
  unread: number;
  replyRequired: boolean;
  lastMessageAt: string | null;
  lastText?: string;
}

export type ChatDirection = 'incoming' | 'outgoing' | 'template';

export interface ChatMessage {
  id: number | string;
  phone: string;
  theatreId: number | null;
  direction: ChatDirection;
  text: string;
  status: string;
  at: string;
  orderId?: number;
}

/** A server message on any socket: hello, snapshot, events, pong, replies, errors. */
export interface ServerMessage {
  type: string;
  stream?: string;
  seq?: number;
  reset?: boolean;
  data?: unknown;
  [key: string]: unknown;
}
