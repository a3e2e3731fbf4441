import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api.js';
import { FEEDBACK_COMMENT_MAX } from '../../../src/protocol/index.js';
import { Problem } from './notes.js';

const RATED_KEY = (orderId: number) => `scan2food.rated.${orderId}`;
const LABELS = ['', 'Poor', 'Fair', 'Good', 'Very good', 'Excellent'];

function remembered(orderId: number): boolean {
  try {
    return localStorage.getItem(RATED_KEY(orderId)) !== null;
  } catch {
    return false;
  }
}

function remember(orderId: number): void {
  try {
    localStorage.setItem(RATED_KEY(orderId), '1');
  } catch {
    // Private mode: the server still refuses a second rating (409).
  }
}

/**
 * After delivery, the guest rates the order once: 1–5 stars as a group of radio buttons (arrow
 * keys move between them, each says its meaning) and an optional comment.
 */
export function FeedbackForm(props: { orderId: number; token: string }): VNode {
  const [done, setDone] = useState(() => remembered(props.orderId));
  const [rating, setRating] = useState(0);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  if (done) {
    return (
      <section class="card feedback" aria-label="Your rating">
        <p role="status">Thank you for your feedback!</p>
      </section>
    );
  }
  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (rating === 0) {
      setError('Choose from 1 to 5 stars.');
      return;
    }
    const comment = String(new FormData(ev.currentTarget as HTMLFormElement).get('comment') ?? '').trim();
    setBusy(true);
    setError('');
    try {
      await api('POST', `/api/orders/${props.orderId}/feedback`, comment ? { rating, comment } : { rating }, { token: props.token });
      remember(props.orderId);
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        remember(props.orderId);
        setDone(true);
        return;
      }
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card feedback stack" onSubmit={submit} aria-labelledby="feedback-title">
      <h2 id="feedback-title">How was your order?</h2>
      <fieldset class="stars">
        <legend>Your rating</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label class={n <= rating ? 'on' : ''}>
            <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} />
            <span aria-hidden="true">★</span>
            <span class="sr-only">
              {n} {n === 1 ? 'star' : 'stars'}, {LABELS[n]}
            </span>
          </label>
        ))}
      </fieldset>
      <label for="feedback-comment">Comment (optional)</label>
      <textarea id="feedback-comment" name="comment" maxLength={FEEDBACK_COMMENT_MAX} rows={3} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Sending…' : 'Send rating'}
      </button>
      <Problem text={error} />
    </form>
  );
}
