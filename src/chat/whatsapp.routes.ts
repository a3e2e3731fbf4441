import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appError } from '../http/errors.js';
import { rawBody } from '../payments/payment.routes.js';
import type { ChatService } from './chat.service.js';
import { parseWebhook, verifyHubSignature } from './whatsapp.webhook.js';

export interface WhatsAppRouteDeps {
  chat: ChatService;
  appSecret: string | undefined;
  verifyToken: string | undefined;
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
  const tags = ['whatsapp'];
  const verifyQuery = z.looseObject({ 'hub.mode': z.unknown(), 'hub.verify_token': z.unknown(), 'hub.challenge': z.unknown() });
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/whatsapp/webhook',
    { schema: { tags, querystring: verifyQuery, response: { 200: { content: { 'text/plain': { schema: z.string().meta({ description: 'hub.challenge, echoed' }) } } } } } },
    async (req, reply) => {
      const q = req.query;
      if (q['hub.mode'] !== 'subscribe' || !sameSecret(q['hub.verify_token'], deps.verifyToken) || typeof q['hub.challenge'] !== 'string') {
        throw appError('forbidden', 'Verification failed.');
      }
      return reply.type('text/plain').send(q['hub.challenge']);
    },
  );

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const raw = scope.withTypeProvider<ZodTypeProvider>();
    const schema = {
      tags,
      headers: z.looseObject({ 'x-hub-signature-256': z.string().optional() }),
      body: rawBody,
      response: { 200: z.object({ stored: z.number().int(), duplicates: z.number().int(), statuses: z.number().int() }) },
    };
    raw.post('/api/whatsapp/webhook', { schema }, async (req) => {
      if (deps.appSecret === undefined) throw appError('unavailable', 'The WhatsApp webhook is not configured (WHATSAPP_APP_SECRET).');
      const body = req.body ?? Buffer.alloc(0);
      if (!verifyHubSignature(body, req.headers['x-hub-signature-256'], deps.appSecret)) {
        throw appError('unauthorized', 'Invalid or missing X-Hub-Signature-256.');
      }
      const webhook = parseWebhook(body);
      if (!webhook) throw appError('bad_request', 'The body is not a WhatsApp webhook.');
      const result = { stored: 0, duplicates: 0, statuses: 0 };
      for (const m of webhook.messages) {
        if (await deps.chat.receive(m)) result.stored++;
        else result.duplicates++;
      }
      for (const s of webhook.statuses) if (await deps.chat.applyStatus(s)) result.statuses++;
      req.log.info({ event: 'whatsapp_webhook', ...result }, 'whatsapp webhook');
      return result;
    });
  });
}
