import { describe, expect, it } from 'vitest';
import { applyToConversations, conversationKey, mergeMessages } from './chat.store.js';
import type { ChatMessageView, ChatStatus, ConversationView } from '../../../src/protocol/index.js';

const msg = (id: number, direction: ChatMessageView['direction'], status: ChatStatus, at: string, phone = '+919876543210'): ChatMessageView => ({
  id,
  phone,
  theatreId: 1,
  direction,
  text: `m${id}`,
  status,
  at,
});

describe('chat box state', () => {
  const list: ConversationView[] = [
    { phone: '+911111111111', theatreId: 1, unread: 0, replyRequired: false, lastMessageAt: '2026-11-29T10:00:00Z', lastText: 'old' },
    { phone: '+919876543210', theatreId: 1, unread: 1, replyRequired: true, lastMessageAt: '2026-11-29T09:00:00Z', lastText: 'hi' },
  ];

  it('a new incoming message moves its conversation up and counts unread unless it is open', () => {
    const m = msg(5, 'incoming', 'received', '2026-11-29T11:00:00Z');
    const closed = applyToConversations(list, m, null, true);
    expect(closed[0]).toMatchObject({ phone: '+919876543210', unread: 2, lastText: 'm5', replyRequired: true });
    expect(applyToConversations(list, m, conversationKey(m), true)[0]).toMatchObject({ unread: 1 });
  });

  it('keeps one conversation per (theatre, phone): a message of another theatre never lands in this one', () => {
    const elsewhere = { ...msg(8, 'incoming', 'received', '2026-11-29T12:00:00Z'), theatreId: 2 };
    const after = applyToConversations(list, elsewhere, conversationKey({ theatreId: 1, phone: elsewhere.phone }), true);
    expect(after.map((c) => [c.theatreId, c.phone, c.unread])).toEqual([[2, '+919876543210', 1], [1, '+911111111111', 0], [1, '+919876543210', 1]]);
    const unassigned = { ...msg(9, 'incoming', 'received', '2026-11-29T13:00:00Z'), theatreId: null };
    expect(applyToConversations(after, unassigned, null, true)[0]).toMatchObject({ theatreId: null, unread: 1 });
  });

  it('never moves a message back to an older status (a late REST answer after the socket said sent)', () => {
    const queued = msg(7, 'outgoing', 'queued', '2026-11-29T11:00:00Z');
    const thread = mergeMessages(mergeMessages([], [{ ...queued, status: 'sent' }]), [queued]);
    expect(thread.map((m) => m.status)).toEqual(['sent']);
  });

  it('a status re-broadcast changes neither order nor counts; in the thread it replaces the message by id', () => {
    const sent = msg(6, 'outgoing', 'sent', '2026-11-29T11:00:00Z');
    expect(applyToConversations(list, sent, null, false).find((c) => c.phone === sent.phone)).toMatchObject({ unread: 1, lastText: 'hi' });
    const thread = mergeMessages([msg(4, 'incoming', 'received', '2026-11-29T10:59:00Z'), sent], [{ ...sent, status: 'delivered' }]);
    expect(thread.map((m) => [m.id, m.status])).toEqual([[4, 'received'], [6, 'delivered']]);
  });

  it('older pages (newest first from the API) merge into one thread, oldest first', () => {
    const page1 = [msg(3, 'incoming', 'received', '2026-11-29T10:03:00Z'), msg(2, 'outgoing', 'read', '2026-11-29T10:02:00Z')];
    const page2 = [msg(1, 'template', 'delivered', '2026-11-29T10:01:00Z')];
    expect(mergeMessages(mergeMessages([], page1), page2).map((m) => m.id)).toEqual([1, 2, 3]);
  });
});
