import type { Logger } from '../observability/logger.js';

/** Who acted, as every audit line names them. */
export interface RefundActor {
  id: number;
  username: string;
  role: string;
}

export type RefundAuditAction = 'refund' | 'refund.approval.requested' | 'refund.approval.code' | 'refund_request.reject';

export interface RefundAuditEntry {
  action: RefundAuditAction;
  by: RefundActor;
  orderId: number;
  /** Paise asked for, or null for "what remains". */
  amount: number | null;
  /** What came of it: refunded, approval_sent, wrong_code, void, expired, refused: <code>… */
  outcome: string;
  approvalId?: number;
  requestId?: number;
}

/**
 * One structured log line per refund and per approval attempt (who, when — the line's time —
 * which order, how much, what came of it). An approval code is never an argument here.
 */
export type RefundAudit = (entry: RefundAuditEntry) => void;

export function refundAudit(logger: Logger): RefundAudit {
  return ({ by, ...rest }) => logger.info({ audit: true, by: { accountId: by.id, username: by.username, role: by.role }, ...rest }, `audit ${rest.action}`);
}
