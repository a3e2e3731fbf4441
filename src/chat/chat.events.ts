import type { Transaction } from '../db/executor.js';
import { appendAtCommit } from '../streams/event.repository.js';
import type { ChatMessageView } from './chat.view.js';

/** Admins and the chat key follow every conversation on ALL_CHAT_STREAM (names: src/protocol). */
import { ALL_CHAT_STREAM, chatStream } from '../protocol/index.js';

export { ALL_CHAT_STREAM, chatStream };

/**
 * Appends `chat.message` for each message in the caller's transaction (at its commit): to
 * `chat:<theatreId>` when the message has a theatre, and to `chat`. The outbox takes the heads in
 * the lock order (streams/stream-names.ts), whatever order they are queued in.
 */
export async function emitChatMessages(trx: Transaction, messages: ChatMessageView[], at: Date): Promise<void> {
  for (const m of messages) {
    if (m.theatreId !== null) await appendAtCommit(trx, chatStream(m.theatreId), 'chat.message', m, at);
    await appendAtCommit(trx, ALL_CHAT_STREAM, 'chat.message', m, at);
  }
}
