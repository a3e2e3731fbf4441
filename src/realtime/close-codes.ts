/**
 * Everything a socket can be told when something goes wrong (SPEC §3). Two families, as in
 * centrifuge: reply errors keep the connection; disconnects end it. The codes, reasons and what a
 * client does after each are the contract's (src/protocol/close-codes.ts); this adds the factory.
 */
import type { ErrorMessage, ReplyErrorCode } from '../protocol/index.js';

export { CLOSE, DISCONNECTS, type CloseCode, type Disconnect, type ReplyErrorCode } from '../protocol/index.js';

export type ReplyError = ErrorMessage;

export function replyError(code: ReplyErrorCode, message: string): ReplyError {
  return { type: 'error', code, message };
}
