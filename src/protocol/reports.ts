/** SPEC §6 "Reports" and "Feedback": what `GET /api/reports/sales` and the feedback API answer. */

export const REPORT_GROUPS = ['day', 'month', 'hour', 'paymentMethod', 'item', 'theatre'] as const;
export type ReportGroupBy = (typeof REPORT_GROUPS)[number];

/** SPEC §6: a range is at most 366 days, counting both ends. */
export const MAX_REPORT_DAYS = 366;

/** Paise: gross = Σ total, refunds = Σ refunded, net = gross − refunds. */
export interface SalesFigures {
  orders: number;
  gross: number;
  discount: number;
  tax: number;
  refunds: number;
}
export interface SalesRow extends SalesFigures {
  key: string;
  net: number;
}
export interface SalesTotals extends SalesFigures {
  net: number;
  /** Mean minutes from confirmation to delivery of the delivered orders counted (one decimal); null when none. */
  avgDeliveryMinutes: number | null;
}
export interface ItemRow {
  /** The item's name. */
  key: string;
  itemId: number;
  quantity: number;
  /** Σ price × quantity. */
  gross: number;
}
export interface ItemTotals {
  quantity: number;
  gross: number;
}

export type SalesReport =
  | { from: string; to: string; groupBy: Exclude<ReportGroupBy, 'item'>; rows: SalesRow[]; totals: SalesTotals }
  | { from: string; to: string; groupBy: 'item'; rows: ItemRow[]; totals: ItemTotals };

export const FEEDBACK_COMMENT_MAX = 500;

export interface FeedbackView {
  orderId: number;
  rating: number;
  comment: string | null;
  at: string;
}

export interface FeedbackList {
  count: number;
  /** Mean rating with two decimals; null without feedback. */
  average: number | null;
  feedback: FeedbackView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null;
}
