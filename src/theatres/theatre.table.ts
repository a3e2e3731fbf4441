import type { Generated } from 'kysely';

/*
 * Row shapes of the venue and menu tables. Conventions shared by every table:
 * - booleans are INTEGER 0/1: better-sqlite3 cannot bind JS booleans, and one representation keeps
 *   a single code path for both dialects; repositories convert at the edge.
 * - timestamps are ISO-8601 UTC text from Date#toISOString(): fixed width, so text order is time
 *   order on both dialects, readable in a shell, and neither driver converts it behind our back
 *   (pg would turn timestamptz into Date and int8 epoch ms into strings).
 * - money is INTEGER paise.
 */
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
