import type { VNode } from 'preact';
import type { OrderView } from '../../../src/protocol/index.js';

const clock = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** Who saw and who delivered an order, and when; nothing until someone has. */
export function ServedBy(props: { order: Pick<OrderView, 'seenBy' | 'seenAt' | 'deliveredBy' | 'deliveredAt'>; class?: string }): VNode | null {
  const { seenBy, seenAt, deliveredBy, deliveredAt } = props.order;
  if (!seenBy && !deliveredBy) return null;
  return (
    <p class={`served-by ${props.class ?? 'small muted'}`}>
      {seenBy ? (
        <span class="seen-by">
          Seen by {seenBy.username}
          {seenAt ? <> at {<time dateTime={seenAt}>{clock(seenAt)}</time>}</> : null}
        </span>
      ) : null}
      {seenBy && deliveredBy ? ' · ' : null}
      {deliveredBy ? (
        <span class="delivered-by">
          Delivered by {deliveredBy.username}
          {deliveredAt ? <> at {<time dateTime={deliveredAt}>{clock(deliveredAt)}</time>}</> : null}
        </span>
      ) : null}
    </p>
  );
}
