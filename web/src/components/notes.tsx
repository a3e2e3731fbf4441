import type { VNode } from 'preact';

/** What just happened, read out politely (an empty one stays in place so it is announced when filled). */
export function Said(props: { text: string }): VNode {
  return (
    <p role="status" aria-live="polite" class="muted">
      {props.text}
    </p>
  );
}

/** What went wrong, read out at once; a load failure goes here rather than showing an empty list. */
export function Problem(props: { text: string }): VNode {
  return (
    <p role="alert" class="error">
      {props.text}
    </p>
  );
}
