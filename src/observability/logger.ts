import pino, { type DestinationStream, type Logger } from 'pino';
import { parseRequestTarget } from '../http/request-target.js';

export type { Logger };

/** Query parameters whose values are credentials; compared to the decoded name, in any case. */
const SECRET_PARAMS = new Set(['key', 'ticket', 'hub.verify_token']);

/**
 * A URL as it may be logged: the values of `key`, `ticket` and `hub.verify_token` query
 * parameters become `[redacted]`. Names are decoded by the same parser the socket authentication
 * reads credentials with, so `?%6Bey=` is redacted exactly when it would authenticate. A target
 * that does not parse is not logged at all.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const target = parseRequestTarget(url);
  if (!target) return '[unparseable]';
  if (target.pairs.length === 0) return target.pathname;
  const query = target.pairs.map((p) => (SECRET_PARAMS.has(p.name.toLowerCase()) ? `${p.rawName}=[redacted]` : p.raw));
  return `${target.pathname}?${query.join('&')}`;
}

/**
 * The structured JSON logger. Fastify's request serializer is replaced so that a logged URL
 * never carries a credential, and headers (Authorization, cookies, subprotocol tickets) are
 * never logged at all.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'scan2food' },
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.ip,
        }),
      },
      // Exact paths only: wildcard redaction would cost every log line; URLs are redacted by redactUrl.
      redact: { paths: ['key', 'ticket', 'headers.authorization', 'headers.cookie', 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    destination,
  );
}
