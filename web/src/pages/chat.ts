import type { VNode } from 'preact';
import { Shell, SignedIn } from '../components/session.js';
import { html } from '../lib/html.js';
import type { Account } from '../lib/types.js';

/** `/staff/chat`. */
export function ChatPage(): VNode {
  return html`<${SignedIn} heading="Staff sign in">${(account: Account) => html`<${Shell} account=${account} title="Chat"><p>Coming soon.</p></${Shell}>`}</${SignedIn}>`;
}
