import type { Transaction } from '../db/executor.js';
import { EventRepository } from '../streams/event.repository.js';
import type { ChatMessageView } from './chat.view.js';

/** Admins and the chat key follow every conversation on ALL_CHAT_STREAM (names: src/protocol). */
import { ALL_CHAT_STREAM, chatStream } from '../protocol/index.js';

export { ALL_CHAT_STREAM, chatStream };

/**
 * Appends `chat.message` for each message in the caller's transaction: to `chat:<theatreId>` when
 * the message has a theatre, and to `chat`. Lock order (see streams/stream-names.ts): chat streams
 * come after every order stream; the theatre chat streams in ascending id, then `chat` once per
 * message, so two transactions never wait on each other in a cycle.
 */
export async function emitChatMessages(trx: Transaction, messages: ChatMessageView[], at: Date): Promise<void> {
  const outbox = new EventRepository(trx);
  const theatres = [...new Set(messages.flatMap((m) => (m.theatreId === null ? [] : [m.theatreId])))].sort((a, b) => a - b);
  for (const theatreId of theatres) {
    for (const m of messages) if (m.theatreId === theatreId) await outbox.append(trx, chatStream(theatreId), 'chat.message', m, at);
  }
  for (const m of messages) await outbox.append(trx, ALL_CHAT_STREAM, 'chat.message', m, at);
}
