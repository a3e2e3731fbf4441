/** HTTP API answers the web app reads (SPEC §4) beyond the views shared with the sockets. */

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
  theatre: { id: number; name: string; cashEnabled: boolean; serviceEndTime: string | null };
  menu: Array<{ id: number; category: string; items: SeatMenuItem[] }>;
}
export interface SeatMenuItem {
  id: number;
  name: string;
  price: number;
  maxTime: number;
  available: boolean;
}

/** A theatre as staff and admins manage it. */
export interface TheatreView {
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
