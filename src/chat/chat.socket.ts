import { actorOf, type Actor } from '../accounts/actor.js';
import { appError } from '../http/errors.js';
import { MAX_ID } from '../http/route-schemas.js';
import type { Client } from '../realtime/client.js';
import type { MessageHandler } from '../realtime/messages.js';
import { ChatService } from './chat.service.js';

/** The chat key acts as an admin; a ticket carries its theatre or admin scope. */
function chatActor(client: Client): Actor {
  const p = client.principal;
  if (p.kind === 'key') return { role: 'admin' };
  if (p.scope.kind !== 'order') return actorOf(p.scope);
  throw appError('forbidden', 'This credential cannot use the chat.');
}

const messageId = (before: string | number | undefined): number | undefined => {
  if (before === undefined) return undefined;
  const n = Number(before);
  // Message ids are PostgreSQL integers: a larger number is no message id (and would not bind).
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ID) throw appError('bad_request', 'before must be a message id.');
  return n;
};

/** `chat.history` and `chat.send` on the chat socket (SPEC §3). */
export function chatSocketHandlers(chat: ChatService): Record<'chat.history' | 'chat.send', MessageHandler> {
  return {
    'chat.history': async (client, m) => {
      if (m.type !== 'chat.history') throw appError('bad_request');
      const phone = ChatService.phone(m.phone);
      return { type: 'chat.history', phone, messages: await chat.history(chatActor(client), phone, messageId(m.before), m.limit) };
    },
    'chat.send': async (client, m) => {
      if (m.type !== 'chat.send') throw appError('bad_request');
      const message = await chat.send(chatActor(client), ChatService.phone(m.phone), m.text);
      return { type: 'ack', clientMsgId: m.clientMsgId, messageId: message.id };
    },
  };
}
