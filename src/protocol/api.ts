/** HTTP API answers the web app reads (SPEC §4) beyond the views shared with the sockets. */
import type { PricingRules, TaxRate } from './totals.js';
import type { GatewayName } from './views.js';

export type Role = 'admin' | 'staff';

/** `GET /api/auth/me`: staff belong to one theatre; admins to none and see all. */
export interface AccountView {
  id: number;
  username: string;
  role: Role;
  theatreId: number | null;
}

/** The answer of `GET /api/seats/<seatId>`: where the guest sits and what they can order. */
export interface SeatView {
  seat: { id: number; name: string };
  row: { id: number; name: string };
  hall: { id: number; name: string };
  theatre: {
    id: number;
    name: string;
    cashEnabled: boolean;
    serviceEndTime: string | null;
    /** What the cart needs to show the bill before paying (protocol/totals.ts computes it). */
    pricing: PricingRules;
    discountMessage: string | null;
  };
  menu: Array<{ id: number; category: string; items: SeatMenuItem[] }>;
}
export interface SeatMenuItem {
  id: number;
  name: string;
  price: number;
  maxTime: number;
  available: boolean;
  description: string | null;
  foodType: FoodType;
  /** Its photo (WebP, at most 800 px wide); the path changes when the photo does. */
  imageUrl: string | null;
}

/** The usual Indian menu marks: green (veg), brown (non-veg), and egg. */
export type FoodType = 'veg' | 'nonveg' | 'egg';

/** A theatre's SPEC §6 business settings, as the API shows them. */
export interface TheatreSettingsView {
  legalName: string | null;
  gstin: string | null;
  address: string | null;
  /** IANA zone of its days, hours and financial years. */
  timeZone: string;
  taxes: TaxRate[];
  pricesIncludeTax: boolean;
  discountPercent: number;
  discountMessage: string | null;
  invoicePrefix: string;
  refundApproval: 'none' | 'code';
  approverPhone: string | null;
  /** `simulated` when the theatre has not chosen one. */
  gateway: GatewayName;
}

/** A theatre as staff and admins manage it. */
export interface TheatreView extends TheatreSettingsView {
  id: number;
  name: string;
  orderLimit: number;
  cashEnabled: boolean;
  serviceEndTime: string | null;
  unseenAlertSeconds: number | null;
  notificationPhones: string[];
}

export interface MenuItemView {
  id: number;
  categoryId: number;
  name: string;
  price: number;
  maxTime: number;
  available: boolean;
  description: string | null;
  foodType: FoodType;
  imageUrl: string | null;
  /** Place in its category, lowest first. */
  sortOrder: number;
}
/** `GET /api/theatres/<id>/menu`. */
export interface MenuView {
  categories: Array<{ id: number; name: string; items: MenuItemView[] }>;
}
export type MenuCategoryView = MenuView['categories'][number];

/** `GET /api/theatres/<id>/layout`. */
export interface LayoutView {
  halls: Array<{ id: number; name: string; rows: Array<{ id: number; name: string; seats: Array<{ id: number; name: string }> }> }>;
}
