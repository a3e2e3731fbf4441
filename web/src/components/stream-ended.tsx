import type { VNode } from 'preact';
import type { EndReason } from '../lib/stream-connection.js';

/** Why a socket stopped for good, and what the person can do about it. */
export function StreamEnded(props: { reason: EndReason | null; signInAt?: string }): VNode | null {
  const signIn = <a href={props.signInAt ?? '/staff'}>Sign in again</a>;
  if (props.reason === 'signed-out') {
    return (
      <p role="alert" class="error">
        Your session has ended. {signIn}.
      </p>
    );
  }
  if (props.reason === 'forbidden') {
    return (
      <p role="alert" class="error">
        This account can no longer see this (it was removed or moved). {signIn}.
      </p>
    );
  }
  return null;
}
