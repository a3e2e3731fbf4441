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
  /** SPEC §6 settings (migration 0006). */
  legal_name: string | null;
  gstin: string | null;
  address: string | null;
  /** IANA zone: the theatre's days, hours and financial years. */
  time_zone: Generated<string>;
  /** JSON [{name, rate}], rate in percent with up to two decimals. */
  taxes: Generated<string>;
  prices_include_tax: Generated<number>;
  /** Discount in hundredths of a percent (basis points). */
  discount_bp: Generated<number>;
  discount_message: string | null;
  invoice_prefix: Generated<string>;
  refund_approval: Generated<'none' | 'code'>;
  approver_phone: string | null;
  /** The gateway its online payments go through; null = simulated. */
  gateway: string | null;
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
  /** The item's place in its category (the API's sortOrder). */
  position: number;
  description: string | null;
  food_type: Generated<'veg' | 'nonveg' | 'egg'>;
  /** File name of its photo under the data folder's media/menu (changes with the photo); null = none. */
  image_key: string | null;
}
