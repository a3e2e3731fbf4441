import type { Generated } from 'kysely';

/** Row shapes of the venue and menu tables (conventions in db/schema.ts). */
export interface TheatreTable {
  id: Generated<number>;
  name: string;
  order_limit: number;
  cash_enabled: number;
  /** 'HH:MM' local time after which the theatre stops serving; null = no limit. */
  service_end_time: string | null;
  /** Seconds a confirmed order may stay unseen before `order.unseen`; null = UNSEEN_ALERT_SECONDS. */
  unseen_alert_seconds: number | null;
  /** JSON array of E.164 phone numbers. */
  notification_phones: string;
  created_at: string;
}

export interface HallTable {
  id: Generated<number>;
  theatre_id: number;
  name: string;
}

export interface SeatRowTable {
  id: Generated<number>;
  hall_id: number;
  name: string;
}

export interface SeatTable {
  id: Generated<number>;
  row_id: number;
  name: string;
}

export interface MenuCategoryTable {
  id: Generated<number>;
  theatre_id: number;
  name: string;
  position: number;
}

export interface MenuItemTable {
  id: Generated<number>;
  category_id: number;
  name: string;
  price: number;
  available: number;
  /** Preparation time in minutes. */
  max_time: number;
  position: number;
}
