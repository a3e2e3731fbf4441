/**
 * Everything a socket can be told when something goes wrong, in one place (SPEC §3).
 * Two families, as in centrifuge: reply errors keep the connection; disconnects end it.
 */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  credentialRetired: 4001,
  scopeLost: 4003,
  tooSlow: 4008,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

export interface Disconnect {
  code: CloseCode;
  reason: string;
}

export const DISCONNECTS = {
  done: { code: CLOSE.normal, reason: 'done' },
  shutdown: { code: CLOSE.goingAway, reason: 'server shutting down' },
  abusive: { code: CLOSE.policyViolation, reason: 'too many bad messages' },
  credentialRetired: { code: CLOSE.credentialRetired, reason: 'credential retired' },
  scopeLost: { code: CLOSE.scopeLost, reason: 'scope lost' },
  /** Its session was logged out, its password changed or its account deleted: sign in again. */
  sessionEnded: { code: CLOSE.scopeLost, reason: 'session ended' },
  tooSlow: { code: CLOSE.tooSlow, reason: 'too slow to read; resume with since' },
  internal: { code: CLOSE.internalError, reason: 'internal error' },
} as const satisfies Record<string, Disconnect>;

export type ReplyErrorCode = 'bad_request' | 'rate_limited' | 'forbidden' | 'not_found' | 'unprocessable';

export interface ReplyError {
  type: 'error';
  code: ReplyErrorCode;
  message: string;
}

export function replyError(code: ReplyErrorCode, message: string): ReplyError {
  return { type: 'error', code, message };
}
