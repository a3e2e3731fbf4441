import type { ChatMessageView, ChatStatus, ConversationView } from '../../../src/protocol/index.js';

/** A conversation is one (theatre, phone): an admin may see one phone once per theatre. */
export const conversationKey = (c: { theatreId: number | null; phone: string }): string => `${c.theatreId ?? 'none'}:${c.phone}`;

/** Conversations newest activity first. */
export function sortConversations(list: ConversationView[]): ConversationView[] {
  return [...list].sort(
    (a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt) || a.phone.localeCompare(b.phone) || (a.theatreId ?? 0) - (b.theatreId ?? 0),
  );
}

/**
 * A `chat.message` arriving: the conversation moves up with the new text, and counts as
 * unread unless it is the one open. A status change (same id again) changes nothing here.
 */
export function applyToConversations(list: ConversationView[], m: ChatMessageView, openKey: string | null, isNew: boolean): ConversationView[] {
  const key = conversationKey(m);
  const existing = list.find((c) => conversationKey(c) === key);
  const incoming = m.direction === 'incoming';
  const unreadBump = isNew && incoming && openKey !== key ? 1 : 0;
  const updated: ConversationView = existing
    ? {
        ...existing,
        unread: existing.unread + unreadBump,
        lastMessageAt: isNew ? m.at : existing.lastMessageAt,
        lastText: isNew ? m.text : existing.lastText,
        replyRequired: isNew ? incoming : existing.replyRequired,
      }
    : { phone: m.phone, theatreId: m.theatreId, unread: unreadBump, replyRequired: incoming, lastMessageAt: m.at, lastText: m.text };
  return sortConversations([updated, ...list.filter((c) => conversationKey(c) !== key)]);
}

/** How far an outgoing message has got; the server only ever moves a status forward. */
const STATUS_RANK: Record<ChatStatus, number> = { received: 0, queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };
const rank = (m: ChatMessageView) => STATUS_RANK[m.status];

/**
 * Messages of the open thread, oldest first, one per id. A re-broadcast replaces its status, but
 * never with an older one: the REST answer to a send (`queued`) can arrive after the socket has
 * already said `sent`.
 */
export function mergeMessages(current: ChatMessageView[], more: ChatMessageView[]): ChatMessageView[] {
  const byId = new Map<string, ChatMessageView>();
  for (const m of [...current, ...more]) {
    const known = byId.get(String(m.id));
    if (!known || rank(m) >= rank(known)) byId.set(String(m.id), m);
  }
  return [...byId.values()].sort((a, b) => a.at.localeCompare(b.at) || Number(a.id) - Number(b.id));
}
