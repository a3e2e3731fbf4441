import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Limits } from '../config/limits.js';
import { isAppError, type ErrorCode } from '../http/errors.js';
import type { ServerMessage } from '../protocol/index.js';
import type { Client } from './client.js';
import { DISCONNECTS, replyError, type ReplyError, type ReplyErrorCode } from './close-codes.js';
import { decodeClientMessage, type ClientMessage } from './protocol.js';
import type { SocketName } from './sockets.js';

/** Answers one decoded request of a feature (chat history, chat send); returns the reply. */
export type MessageHandler = (client: Client, message: ClientMessage) => Promise<ServerMessage>;

/** Which message types each socket understands beyond `ping`. */
export type MessageHandlers = Partial<Record<SocketName, Partial<Record<ClientMessage['type'], MessageHandler>>>>;

/** Refusals a handler may throw (AppError) and the reply error each becomes; anything else is logged. */
const REPLY_CODE_OF: Partial<Record<ErrorCode, ReplyErrorCode>> = {
  bad_request: 'bad_request',
  validation_failed: 'bad_request',
  forbidden: 'forbidden',
  not_found: 'not_found',
  unprocessable: 'unprocessable',
};

/**
 * Handles what a client sends: decode, per-connection rate limit, dispatch. Bad input is
 * answered with an error reply; the `badInputsBeforeClose`-th within the window closes the
 * connection with 1008. Nothing here can affect another connection.
 */
export class MessageRouter {
  private readonly rate: RateLimiterMemory;
  private readonly strikes: RateLimiterMemory;

  constructor(
    private readonly handlers: MessageHandlers,
    limits: Limits,
    private readonly onError: (err: unknown, client: Client) => void,
  ) {
    this.rate = new RateLimiterMemory({ points: limits.messagesPerSecond, duration: 1 });
    this.strikes = new RateLimiterMemory({ points: limits.badInputsBeforeClose - 1, duration: limits.badInputWindowMs / 1000 });
  }

  async handle(client: Client, text: string): Promise<void> {
    if (!(await this.consume(this.rate, client.id))) {
      return this.strike(client, replyError('rate_limited', 'More than the allowed messages per second; slow down.'));
    }
    const decoded = decodeClientMessage(text);
    if (!decoded.ok) return this.strike(client, replyError('bad_request', decoded.message));
    const message = decoded.message;
    if (message.type === 'ping') return client.sendJson({ type: 'pong' });
    const handler = this.handlers[client.socket]?.[message.type];
    if (!handler) return this.strike(client, replyError('bad_request', `"${message.type}" is not understood on this socket.`));
    try {
      client.sendJson(await handler(client, message));
    } catch (err) {
      const code = isAppError(err) ? REPLY_CODE_OF[err.code] : undefined;
      if (isAppError(err) && code) return client.sendJson(replyError(code, err.message));
      this.onError(err, client);
      client.sendJson(replyError('bad_request', 'The request could not be handled.'));
    }
  }

  forget(client: Client): void {
    void this.rate.delete(client.id);
    void this.strikes.delete(client.id);
  }

  private async strike(client: Client, error: ReplyError): Promise<void> {
    client.sendJson(error);
    if (!(await this.consume(this.strikes, client.id))) client.disconnect(DISCONNECTS.abusive);
  }

  private async consume(limiter: RateLimiterMemory, key: string): Promise<boolean> {
    try {
      await limiter.consume(key);
      return true;
    } catch (err) {
      if (err instanceof RateLimiterRes) return false;
      throw err;
    }
  }
}
