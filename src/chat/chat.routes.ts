import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signedIn } from '../accounts/session.http.js';
import { answerOf, bodyId, MAX_ID, noContent } from '../http/route-schemas.js';
import { safeText } from '../http/safe-text.js';
import { ChatService, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, MAX_TEXT_CHARS } from './chat.service.js';
import type { ChatMessageView, ConversationView } from './chat.view.js';

export interface ChatRouteDeps {
  chat: ChatService;
}

/**
 * Which conversation with a phone (admins; staff may only name their own theatre): a theatre id,
 * or `none` for the unassigned one. Omitted: every conversation of the phone (reading) or its only
 * one (writing; required when it has several).
 */
const theatreQuery = z.union([z.string().regex(/^\d{1,9}$/, 'theatreId must be a theatre id or none').transform(Number), z.literal('none').transform(() => null)]);

const historyQuery = z.object({
  theatreId: theatreQuery.optional(),
  // Message ids are PostgreSQL integers: a larger number is no message id (and would not bind).
  before: z.string().regex(/^\d{1,10}$/, 'before must be a message id').transform(Number).refine((n) => n <= MAX_ID, 'before must be a message id').optional(),
  limit: z.string().regex(/^\d{1,3}$/, 'limit must be a number').transform(Number).refine((n) => n >= 1 && n <= HISTORY_MAX_LIMIT, `limit must be 1 to ${HISTORY_MAX_LIMIT}`).optional(),
});
const sendBody = z.object({
  text: safeText(MAX_TEXT_CHARS, { multiline: true }),
  /** null: the unassigned conversation (admins). */
  theatreId: bodyId().nullable().optional(),
});
const readQuery = z.object({ theatreId: theatreQuery.optional() });

/** A phone in a path, normalised to E.164; one that is no phone number names no conversation (404). */
const phoneParams = z.object({
  phone: z.string().transform((p, ctx) => {
    try {
      return ChatService.phone(p, 'not_found');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
});

const messageView = answerOf<ChatMessageView>()(
  z
    .object({
      id: z.number().int(),
      phone: z.string(),
      theatreId: z.number().int().nullable(),
      direction: z.enum(['incoming', 'outgoing', 'template']),
      text: z.string(),
      status: z.enum(['received', 'queued', 'sent', 'delivered', 'read', 'failed']),
      at: z.string(),
      orderId: z.number().int().optional(),
    })
    .meta({ id: 'ChatMessage' }),
);
const conversationView = answerOf<ConversationView>()(
  z
    .object({ phone: z.string(), theatreId: z.number().int().nullable(), unread: z.number().int(), replyRequired: z.boolean(), lastMessageAt: z.string(), lastText: z.string() })
    .meta({ id: 'Conversation' }),
);

const config = { auth: 'session' } as const;
const tags = ['chat'];

/** The chat box over HTTP (SPEC §4): staff see their theatre's conversations, admins all (docs/chat.md). */
export function chatRoutes(app: FastifyInstance, deps: ChatRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/chat/users', { config, schema: { tags, response: { 200: z.object({ conversations: z.array(conversationView) }) } } }, async (req) => ({
    conversations: await deps.chat.conversations(signedIn(req).actor),
  }));

  r.get(
    '/api/chat/users/:phone/messages',
    { config, schema: { tags, params: phoneParams, querystring: historyQuery, response: { 200: z.object({ phone: z.string(), messages: z.array(messageView) }) } } },
    async (req) => {
      const { phone } = req.params;
      const q = req.query;
      return { phone, messages: await deps.chat.history(signedIn(req).actor, phone, q.before, q.limit ?? HISTORY_DEFAULT_LIMIT, q.theatreId) };
    },
  );

  r.post(
    '/api/chat/users/:phone/messages',
    { config, schema: { tags, params: phoneParams, body: sendBody, response: { 201: z.object({ message: messageView }) } } },
    async (req, reply) => {
      const message = await deps.chat.send(signedIn(req).actor, req.params.phone, req.body.text, req.body.theatreId);
      return reply.status(201).send({ message });
    },
  );

  r.post('/api/chat/users/:phone/read', { config, schema: { tags, params: phoneParams, querystring: readQuery, response: { 204: noContent } } }, async (req, reply) => {
    await deps.chat.markRead(signedIn(req).actor, req.params.phone, req.query.theatreId);
    return reply.status(204).send();
  });
}
