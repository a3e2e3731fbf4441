import type { VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ConnectionBadge } from '../components/connection-badge.js';
import { Shell, SignedIn } from '../components/session.js';
import { StreamEnded } from '../components/stream-ended.js';
import { api, errorText } from '../lib/api.js';
import { beep } from '../lib/alerts.js';
import { applyToConversations, conversationKey, mergeMessages, sortConversations } from '../lib/chat.store.js';
import { useStream } from '../lib/use-stream.js';
import type { AccountView as Account, ChatMessageView as ChatMessage, ChatStatus, ConversationView as Conversation } from '../../../src/protocol/index.js';
import { Problem } from '../components/notes.js';

const PAGE = 20;
const CHAT = { socket: 'chat' } as const;
const STATUS_TEXT: Record<ChatStatus, string> = { received: '', queued: 'Sending…', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Not delivered' };
/** In a URL path the `+` of a phone number is left out (SPEC §3). */
const phonePath = (phone: string) => encodeURIComponent(phone.replace(/^\+/, ''));
/** A conversation is one (theatre, phone); every request names both (docs/chat.md). */
type ConversationRef = { phone: string; theatreId: number | null };
const theatreParam = (c: ConversationRef) => (c.theatreId === null ? 'none' : String(c.theatreId));
const messagesPath = (c: ConversationRef) => `/api/chat/users/${phonePath(c.phone)}/messages`;
const readPath = (c: ConversationRef) => `/api/chat/users/${phonePath(c.phone)}/read?theatreId=${theatreParam(c)}`;
/** Admins see a phone once per theatre, so their list says which; staff have one theatre. */
const theatreLabel = (c: ConversationRef) => (c.theatreId === null ? 'unassigned' : `theatre ${c.theatreId}`);
const time = (iso: string) => new Date(iso).toLocaleString([], { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' });

function Thread(props: { conversation: ConversationRef; title: string; messages: ChatMessage[]; more: boolean; onOlder(): void; onSent(m: ChatMessage): void }): VNode {
  const phone = props.conversation.phone;
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const list = useRef<HTMLOListElement>(null);
  const last = props.messages[props.messages.length - 1];
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [props.title, last?.id]);
  const send = async (ev: Event) => {
    ev.preventDefault();
    const body = text.trim();
    if (!body) return;
    setBusy(true);
    setError('');
    try {
      const { message } = await api<{ message: ChatMessage }>('POST', messagesPath(props.conversation), { text: body, theatreId: props.conversation.theatreId });
      props.onSent(message);
      setText('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="thread" aria-labelledby="thread-title">
      <h2 id="thread-title">{props.title}</h2>
      {props.more ? (
        <button type="button" class="link" onClick={props.onOlder}>
          Show older messages
        </button>
      ) : null}
      <ol class="messages" ref={list} aria-live="polite" aria-relevant="additions" tabIndex={0} aria-label={`Messages with ${phone}`}>
        {props.messages.map((m) => (
          <li class={`msg ${m.direction}`} data-message-id={m.id} data-status={m.status}>
            {m.direction === 'template' ? <span class="meta">Automatic message</span> : null}
            <span class="text">{m.text}</span>
            <span class="meta">
              {time(m.at)}
              {m.direction === 'incoming' ? '' : ` · ${STATUS_TEXT[m.status]}`}
            </span>
          </li>
        ))}
      </ol>
      <form class="reply" onSubmit={send}>
        <label for="reply" class="sr-only">
          Reply to {phone}
        </label>
        <textarea
          id="reply"
          name="text"
          rows={2}
          maxLength={4096}
          required
          placeholder="Type a reply"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
          }}
        ></textarea>
        <button type="submit" class="primary" disabled={busy || !text.trim()}>
          {busy ? 'Sending…' : 'Send'}
        </button>
      </form>
      <Problem text={error} />
    </section>
  );
}

function ChatBox(props: { account: Account }): VNode {
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [open, setOpen] = useState<ConversationRef | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [more, setMore] = useState(false);
  /** Whether the list has been read once: until then an empty list means nothing. */
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState('');
  const openRef = useRef<string | null>(null);
  const known = useRef(new Set<string>());
  openRef.current = open ? conversationKey(open) : null;
  const admin = props.account.role === 'admin';
  const titleOf = (c: ConversationRef) => (admin ? `${c.phone} (${theatreLabel(c)})` : c.phone);

  const loadList = () =>
    api<{ conversations: Conversation[] }>('GET', '/api/chat/users')
      .then((r) => {
        setConversations(sortConversations(r.conversations));
        setLoaded(true);
      })
      .catch((err: unknown) => setError(`The conversations could not be loaded: ${errorText(err)}`));

  useEffect(() => {
    void loadList();
  }, []);

  const { conn, ended } = useStream(
    CHAT,
    (m) => {
        if (m.type === 'snapshot') {
          // The snapshot (also after a reset) is the truth about the list; the REST list adds last texts.
          void loadList();
        } else if (m.type === 'chat.message') {
          const message = m.data;
          // A status change re-broadcasts an id already seen: it updates, it is not news.
          const isNew = !known.current.has(String(message.id));
          known.current.add(String(message.id));
          if (openRef.current === conversationKey(message)) {
            setMessages((current) => mergeMessages(current, [message]));
            if (isNew && message.direction === 'incoming') void api('POST', readPath(message)).catch(() => undefined);
          }
          if (isNew && message.direction === 'incoming') beep();
          setConversations((list) => applyToConversations(list, message, openRef.current, isNew));
        }
    },
    { inWorker: true },
  );

  const select = async (c: ConversationRef) => {
    const conversation = { phone: c.phone, theatreId: c.theatreId };
    setOpen(conversation);
    setMessages([]);
    setError('');
    try {
      const r = await api<{ messages: ChatMessage[] }>('GET', `${messagesPath(conversation)}?limit=${PAGE}&theatreId=${theatreParam(conversation)}`);
      for (const m of r.messages) known.current.add(String(m.id));
      setMessages(mergeMessages([], r.messages));
      setMore(r.messages.length === PAGE);
      await api('POST', readPath(conversation));
      const key = conversationKey(conversation);
      setConversations((list) => list.map((x) => (conversationKey(x) === key ? { ...x, unread: 0 } : x)));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const older = async () => {
    if (!open || messages.length === 0) return;
    const oldest = messages[0]!;
    try {
      const r = await api<{ messages: ChatMessage[] }>('GET', `${messagesPath(open)}?limit=${PAGE}&before=${oldest.id}&theatreId=${theatreParam(open)}`);
      for (const m of r.messages) known.current.add(String(m.id));
      setMessages((current) => mergeMessages(current, r.messages));
      setMore(r.messages.length === PAGE);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const sent = (message: ChatMessage) => {
    const isNew = !known.current.has(String(message.id));
    known.current.add(String(message.id));
    setMessages((current) => mergeMessages(current, [message]));
    setConversations((list) => applyToConversations(list, message, openRef.current, isNew));
  };

  const unreadTotal = conversations.reduce((n, c) => n + c.unread, 0);
  return (
    <Shell account={props.account} title={`Chat${unreadTotal ? ` (${unreadTotal} unread)` : ''}`} status={<ConnectionBadge state={conn} />}>
      <Problem text={error} />
      <StreamEnded reason={ended} />
      <div class="chat">
        <nav aria-label="Conversations">
          {loaded && conversations.length === 0 ? <p class="empty">No conversations yet.</p> : null}
          <ul class="conversations">
            {conversations.map((c) => (
              <li>
                <button
                  type="button"
                  aria-current={openRef.current === conversationKey(c) ? 'true' : undefined}
                  data-phone={c.phone}
                  data-theatre={theatreParam(c)}
                  onClick={() => void select(c)}
                  aria-label={`${titleOf(c)}${c.unread ? `, ${c.unread} unread` : ''}${c.replyRequired ? ', waiting for a reply' : ''}`}
                >
                  <strong>{titleOf(c)}</strong>
                  {c.unread ? <span class="badge">{c.unread}</span> : <span></span>}
                  <span class="last">{c.lastText}</span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
        {open ? (
          <Thread conversation={open} title={titleOf(open)} messages={messages} more={more} onOlder={() => void older()} onSent={sent} />
        ) : (
          <p class="muted">Choose a conversation.</p>
        )}
      </div>
    </Shell>
  );
}

/** `/staff/chat`: the theatre's WhatsApp conversations (an admin's: every theatre's). */
export function ChatPage(): VNode {
  return <SignedIn heading="Staff sign in">{(account: Account) => <ChatBox account={account} />}</SignedIn>;
}
