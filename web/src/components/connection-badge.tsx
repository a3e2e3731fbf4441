import type { VNode } from 'preact';
import type { ConnectionState } from '../lib/stream-connection.js';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  closed: 'Disconnected',
};

/** The socket's state, announced politely to screen readers when it changes. */
export function ConnectionBadge(props: { state: ConnectionState; retryInMs?: number | undefined }): VNode {
  const retry = props.state === 'reconnecting' && props.retryInMs ? ` (retry in ${Math.ceil(props.retryInMs / 1000)} s)` : '';
  return (
    <p class={`conn conn-${props.state}`} role="status" aria-live="polite" data-state={props.state}>
      <span class="dot" aria-hidden="true"></span>
      {LABELS[props.state]}
      {retry}
    </p>
  );
}
