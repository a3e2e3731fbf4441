import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SessionAuth } from '../accounts/session.http.js';
import { safeText } from '../http/safe-text.js';
import { parseInput } from '../http/validate.js';
import { ChatService, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, MAX_TEXT_CHARS } from './chat.service.js';

export interface ChatRouteDeps {
  chat: ChatService;
  sessions: SessionAuth;
  /** Kicks the outbox relay and the WhatsApp sender after a message was stored. */
  committed: () => void;
}

/**
 * Which conversation with a phone (admins; staff may only name their own theatre): a theatre id,
 * or `none` for the unassigned one. Omitted: every conversation of the phone (reading) or its only
 * one (writing; required when it has several).
 */
const theatreQuery = z.union([z.string().regex(/^\d{1,9}$/, 'theatreId must be a theatre id or none').transform(Number), z.literal('none').transform(() => null)]);

const historyQuery = z.object({
  theatreId: theatreQuery.optional(),
  before: z.string().regex(/^\d{1,15}$/, 'before must be a message id').transform(Number).optional(),
  limit: z.string().regex(/^\d{1,3}$/, 'limit must be a number').transform(Number).refine((n) => n >= 1 && n <= HISTORY_MAX_LIMIT, `limit must be 1 to ${HISTORY_MAX_LIMIT}`).optional(),
});
const sendBody = z.object({
  text: safeText(MAX_TEXT_CHARS, { multiline: true }),
  /** null: the unassigned conversation (admins). */
  theatreId: z.number().int().min(1).max(2 ** 31 - 1).nullable().optional(),
});
const readQuery = z.object({ theatreId: theatreQuery.optional() });

type PhoneParams = { Params: { phone: string } };

/** The chat box over HTTP (SPEC §4): staff see their theatre's conversations, admins all (docs/chat.md). */
export function chatRoutes(app: FastifyInstance, deps: ChatRouteDeps): void {
  app.get('/api/chat/users', async (req) => {
    const who = await deps.sessions.require(req);
    return { conversations: await deps.chat.conversations(who.actor) };
  });

  app.get<PhoneParams>('/api/chat/users/:phone/messages', async (req) => {
    const who = await deps.sessions.require(req);
    const phone = ChatService.phone(req.params.phone, 'not_found');
    const q = parseInput(historyQuery, req.query);
    return { phone, messages: await deps.chat.history(who.actor, phone, q.before, q.limit ?? HISTORY_DEFAULT_LIMIT, q.theatreId) };
  });

  app.post<PhoneParams>('/api/chat/users/:phone/messages', async (req, reply) => {
    const who = await deps.sessions.require(req);
    const phone = ChatService.phone(req.params.phone, 'not_found');
    const { text, theatreId } = parseInput(sendBody, req.body);
    const message = await deps.chat.send(who.actor, phone, text, theatreId);
    deps.committed();
    return reply.status(201).send({ message });
  });

  app.post<PhoneParams>('/api/chat/users/:phone/read', async (req, reply) => {
    const who = await deps.sessions.require(req);
    const phone = ChatService.phone(req.params.phone, 'not_found');
    await deps.chat.markRead(who.actor, phone, parseInput(readQuery, req.query).theatreId);
    return reply.status(204).send();
  });
}
