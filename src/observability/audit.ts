import type { Logger } from './logger.js';

/** Who made a management change, as the audit line names them. */
export interface AuditActor {
  id: number;
  username: string;
  role: string;
}

/**
 * One structured log line per management change: who, what, which id, and the names (never the
 * values) of the fields changed, so a password can never reach the log.
 */
export type AuditLog = (by: AuditActor, action: string, id: number, fields?: readonly string[]) => void;

export function auditLog(logger: Logger): AuditLog {
  return (by, action, id, fields) => {
    logger.info(
      { audit: true, by: { accountId: by.id, username: by.username, role: by.role }, action, id, ...(fields ? { fields: [...fields] } : {}) },
      `audit ${action}`,
    );
  };
}
