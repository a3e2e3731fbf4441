import type { Generated } from 'kysely';

/** A guest's rating of a delivered order (migration 0007): at most one per order. */
export interface OrderFeedbackTable {
  id: Generated<number>;
  order_id: number;
  /** Copied from the order so a theatre's list is one index range. */
  theatre_id: number;
  rating: number;
  comment: string | null;
  created_at: string;
}
