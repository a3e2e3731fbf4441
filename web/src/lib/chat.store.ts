import type { ChatMessage, Conversation } from './types.js';

/** Conversations by phone, newest activity first. */
export function sortConversations(list: Conversation[]): Conversation[] {
  return [...list].sort((a, b) => (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? '') || a.phone.localeCompare(b.phone));
}

/**
 * A `chat.message` arriving: the conversation moves up with the new text, and counts as
 * unread unless it is the one open. A status change (same id again) changes nothing here.
 */
export function applyToConversations(list: Conversation[], m: ChatMessage, openPhone: string | null, isNew: boolean): Conversation[] {
  const existing = list.find((c) => c.phone === m.phone);
  const incoming = m.direction === 'incoming';
  const unreadBump = isNew && incoming && openPhone !== m.phone ? 1 : 0;
  const updated: Conversation = existing
    ? {
        ...existing,
        unread: existing.unread + unreadBump,
        lastMessageAt: isNew ? m.at : existing.lastMessageAt,
        lastText: isNew ? m.text : existing.lastText,
        replyRequired: isNew ? incoming : existing.replyRequired,
      }
    : { phone: m.phone, theatreId: m.theatreId, unread: unreadBump, replyRequired: incoming, lastMessageAt: m.at, lastText: m.text };
  return sortConversations([updated, ...list.filter((c) => c.phone !== m.phone)]);
}

/** Messages of the open thread, oldest first, one per id (a re-broadcast replaces its status). */
export function mergeMessages(current: ChatMessage[], more: ChatMessage[]): ChatMessage[] {
  const byId = new Map<string, ChatMessage>();
  for (const m of current) byId.set(String(m.id), m);
  for (const m of more) byId.set(String(m.id), m);
  return [...byId.values()].sort((a, b) => a.at.localeCompare(b.at) || Number(a.id) - Number(b.id));
}
