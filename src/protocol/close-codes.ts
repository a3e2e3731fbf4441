/**
 * How a socket ends (SPEC §3), and what a client does after each close code. Two families, as
 * in centrifuge: reply errors (messages.ts) keep the connection; these end it.
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

/** Every close the server sends, with its reason text (the reason is part of the contract for 4003). */
export const DISCONNECTS = {
  /** The stream has nothing more to say (a payment at its final state). */
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

/**
 * What a client does after a close:
 * - `stop`: do not reconnect; the stream is finished (1000);
 * - `sign-in`: do not reconnect; the session behind the ticket ended, so the person must sign in
 *   again (4003 with reason `session ended`);
 * - `new-ticket`: the credential was retired or the scope lost; get a fresh ticket and reconnect
 *   after the backoff, resuming with `since`; a refused ticket stops it for good (4001, 4003);
 * - `resume`: reconnect at once with `since`; the server dropped a reader that fell behind
 *   (4008), so waiting gains nothing, but a client that keeps falling behind backs off;
 * - `backoff`: reconnect after an exponential backoff with jitter, resuming with `since` (1001
 *   shutdown, 1008/1009 bad input, 1011, and any close the server did not choose, like 1006).
 */
export type CloseAction = 'stop' | 'sign-in' | 'new-ticket' | 'resume' | 'backoff';

export const AFTER_CLOSE: Readonly<Record<CloseCode, CloseAction>> = {
  [CLOSE.normal]: 'stop',
  [CLOSE.goingAway]: 'backoff',
  [CLOSE.policyViolation]: 'backoff',
  [CLOSE.messageTooBig]: 'backoff',
  [CLOSE.internalError]: 'backoff',
  [CLOSE.credentialRetired]: 'new-ticket',
  [CLOSE.scopeLost]: 'new-ticket',
  [CLOSE.tooSlow]: 'resume',
};

export function afterClose(code: number, reason: string): CloseAction {
  if (code === DISCONNECTS.sessionEnded.code && reason === DISCONNECTS.sessionEnded.reason) return 'sign-in';
  return (AFTER_CLOSE as Partial<Record<number, CloseAction>>)[code] ?? 'backoff';
}
