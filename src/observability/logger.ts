import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

const SECRET_QUERY = /([?&](?:key|ticket|hub\.verify_token)=)[^&#]*/gi;

/** A URL as it may be logged: the values of `key`, `ticket` and `hub.verify_token` query parameters become `[redacted]`. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY, '$1[redacted]');
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
