import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { appError } from '../http/errors.js';
import type { ChatService } from './chat.service.js';
import { parseWebhook, verifyHubSignature } from './whatsapp.webhook.js';

export interface WhatsAppRouteDeps {
  chat: ChatService;
  appSecret: string | undefined;
  verifyToken: string | undefined;
  committed: () => void;
}

const sameSecret = (given: unknown, expected: string | undefined): boolean => {
  if (typeof given !== 'string' || expected === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * The WhatsApp Cloud API webhook (SPEC §4). The signature covers the exact bytes received, so the
 * POST keeps its body raw and nothing is parsed, let alone stored, before it is checked.
 */
export function whatsappRoutes(app: FastifyInstance, deps: WhatsAppRouteDeps): void {
  app.get<{ Querystring: Record<string, string | undefined> }>('/api/whatsapp/webhook', async (req, reply) => {
    const q = req.query;
    if (q['hub.mode'] !== 'subscribe' || !sameSecret(q['hub.verify_token'], deps.verifyToken) || typeof q['hub.challenge'] !== 'string') {
      throw appError('forbidden', 'Verification failed.');
    }
    return reply.type('text/plain').send(q['hub.challenge']);
  });

  void app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    raw.post('/api/whatsapp/webhook', async (req) => {
      if (deps.appSecret === undefined) throw appError('unavailable', 'The WhatsApp webhook is not configured (WHATSAPP_APP_SECRET).');
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = req.headers['x-hub-signature-256'];
      if (!verifyHubSignature(body, typeof signature === 'string' ? signature : undefined, deps.appSecret)) {
        throw appError('unauthorized', 'Invalid or missing X-Hub-Signature-256.');
      }
      const webhook = parseWebhook(body);
      if (!webhook) throw appError('bad_request', 'The body is not a WhatsApp webhook.');
      const result = { stored: 0, duplicates: 0, statuses: 0 };
      try {
        for (const m of webhook.messages) {
          if (await deps.chat.receive(m)) result.stored++;
          else result.duplicates++;
        }
        for (const s of webhook.statuses) if (await deps.chat.applyStatus(s)) result.statuses++;
      } finally {
        deps.committed();
      }
      req.log.info({ event: 'whatsapp_webhook', ...result }, 'whatsapp webhook');
      return result;
    });
  });
}
