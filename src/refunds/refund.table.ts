import type { Generated } from 'kysely';

export type ApprovalStatus = 'pending' | 'used' | 'void';

/** A staff refund waiting for the approver's code (SPEC §6). The code itself is never stored. */
export interface RefundApprovalTable {
  id: Generated<number>;
  order_id: number;
  theatre_id: number;
  /** Paise; null = whatever remains when the code is given. */
  amount: number | null;
  /** JSON [{itemId, quantity}] when the refund was asked by items. */
  items: string | null;
  note: string | null;
  requested_by: number;
  /** Random per approval (hex); code_hash = scrypt(code, salt) hex. */
  code_salt: string;
  code_hash: string;
  wrong_tries: Generated<number>;
  status: ApprovalStatus;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

export type RefundRequestStatus = 'open' | 'refunded' | 'rejected';

/** A guest's request for a refund; at most one open per order (refund_requests_one_open). */
export interface RefundRequestTable {
  id: Generated<number>;
  order_id: number;
  theatre_id: number;
  reason: string;
  status: RefundRequestStatus;
  /** Staff's reason when rejected. */
  resolution: string | null;
  resolved_by: number | null;
  resolved_at: string | null;
  created_at: string;
}
