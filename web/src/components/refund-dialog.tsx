import type { VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api.js';
import { useDialogPromise } from './dialog.js';
import { paiseFromRupees, rupees } from '../lib/money.js';
import type { OrderView, RefundApprovalView } from '../../../src/protocol/index.js';

/*
 * The staff refund (SPEC §6) in one <dialog>: what to refund (what remains, an amount, or items)
 * and why; then, when the theatre asks for one, the code the approver got on WhatsApp; then what
 * happened, in words. Resolves with the order as it is after, or null when nothing was refunded.
 */

type Mode = 'rest' | 'amount' | 'items';
type Step = { kind: 'ask' } | { kind: 'code'; approval: RefundApprovalView } | { kind: 'done'; order: OrderView };

let nextId = 0;

function describeDone(before: OrderView, after: OrderView): string {
  const now = after.refundedAmount - before.refundedAmount;
  if (after.status === 'refunded') return `Refunded ${rupees(now)}. The whole order (${rupees(after.amount)}) is now refunded.`;
  return `Refunded ${rupees(now)}. In all ${rupees(after.refundedAmount)} of ${rupees(after.amount)} is refunded; the order stays ${after.status}.`;
}

/** One sentence for a page's status line: what a refund did to the order. */
export function refundSummary(before: OrderView, after: OrderView): string {
  if (after.status === 'refunded') return `Order ${after.id} refunded.`;
  return `Order ${after.id}: ${rupees(after.refundedAmount - before.refundedAmount)} refunded (${rupees(after.refundedAmount)} of ${rupees(after.amount)} in all).`;
}

export function RefundDialog(props: { order: OrderView; onDone(order: OrderView | null): void; closeOnRefund?: boolean | undefined }): VNode {
  const { order } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const result = useRef<OrderView | null>(null);
  const [id] = useState(() => `refund-${++nextId}`);
  const [step, setStep] = useState<Step>({ kind: 'ask' });
  const [mode, setMode] = useState<Mode>('rest');
  const [amount, setAmount] = useState('');
  const [quantities, setQuantities] = useState<Record<number, number>>({});
  const [reason, setReason] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const remaining = order.amount - order.refundedAmount;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const closed = () => props.onDone(result.current);
    dialog.addEventListener('close', closed);
    if (!dialog.open) dialog.showModal();
    return () => dialog.removeEventListener('close', closed);
  }, []);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>(step.kind === 'code' ? 'input[name="code"]' : step.kind === 'done' ? 'button[data-close]' : 'input[name="mode"]:checked')?.focus();
  }, [step.kind]);

  const finish = (updated: OrderView) => {
    result.current = updated;
    // A page that reports the outcome itself (past orders) gets the dialog out of the way.
    if (props.closeOnRefund) ref.current?.close();
    else setStep({ kind: 'done', order: updated });
  };

  const body = (): { amount?: number; items?: Array<{ itemId: number; quantity: number }>; reason?: string } | string => {
    const out: { amount?: number; items?: Array<{ itemId: number; quantity: number }>; reason?: string } = {};
    if (reason.trim()) out.reason = reason.trim();
    if (mode === 'amount') {
      const paise = paiseFromRupees(amount);
      if (paise === null || paise < 1) return 'Enter the amount in rupees, like 120 or 99.50.';
      if (paise > remaining) return `At most ${rupees(remaining)} remains to refund.`;
      out.amount = paise;
    } else if (mode === 'items') {
      const items = Object.entries(quantities).filter(([, q]) => q > 0).map(([itemId, quantity]) => ({ itemId: Number(itemId), quantity }));
      if (items.length === 0) return 'Choose at least one item to refund.';
      out.items = items;
    }
    return out;
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    if (step.kind === 'ask') {
      const b = body();
      if (typeof b === 'string') return setError(b);
      setBusy(true);
      try {
        const answer = await api<{ order: OrderView } | { approval: RefundApprovalView }>('POST', `/api/orders/${order.id}/refund`, b);
        if ('approval' in answer) setStep({ kind: 'code', approval: answer.approval });
        else finish(answer.order);
      } catch (err) {
        setError(errorText(err));
      } finally {
        setBusy(false);
      }
    } else if (step.kind === 'code') {
      if (!/^\d{6}$/.test(code.trim())) return setError('The code has 6 digits.');
      setBusy(true);
      try {
        finish((await api<{ order: OrderView }>('POST', `/api/refund-approvals/${step.approval.id}`, { code: code.trim() })).order);
      } catch (err) {
        if (err instanceof ApiError && err.status === 410) setError(`${err.message} Nothing was refunded.`);
        else setError(errorText(err));
        setCode('');
      } finally {
        setBusy(false);
      }
    } else {
      ref.current?.close();
    }
  };

  return (
    <dialog ref={ref} class="form-dialog refund-dialog" aria-labelledby={`${id}-title`}>
      <form class="stack" noValidate onSubmit={(e) => void submit(e)}>
        <h2 id={`${id}-title`}>
          Refund order {order.id} (seat {order.seat.name})
        </h2>
        {step.kind === 'ask' ? (
          <>
            <p>
              Paid {rupees(order.amount)}
              {order.refundedAmount > 0 ? `, ${rupees(order.refundedAmount)} refunded already` : ''}; {rupees(remaining)} can be refunded.
            </p>
            <fieldset>
              <legend>What to refund</legend>
              {(
                [
                  ['rest', `Everything that remains (${rupees(remaining)})`],
                  ['amount', 'An amount'],
                  ['items', 'Some items'],
                ] as Array<[Mode, string]>
              ).map(([m, label]) => (
                <label class="choice">
                  <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} /> {label}
                </label>
              ))}
            </fieldset>
            {mode === 'amount' ? (
              <div class="field">
                <label for={`${id}-amount`}>Amount in rupees</label>
                <input id={`${id}-amount`} name="amount" type="text" inputMode="decimal" value={amount} onInput={(e) => setAmount((e.currentTarget as HTMLInputElement).value)} />
              </div>
            ) : null}
            {mode === 'items' ? (
              <div class="field refund-items">
                {order.items.map((i) => (
                  <label for={`${id}-item-${i.itemId}`}>
                    {i.name} ({rupees(i.price)} each, {i.quantity} ordered){' '}
                    <select
                      id={`${id}-item-${i.itemId}`}
                      name={`item-${i.itemId}`}
                      value={String(quantities[i.itemId] ?? 0)}
                      onChange={(e) => setQuantities((q) => ({ ...q, [i.itemId]: Number((e.currentTarget as HTMLSelectElement).value) }))}
                    >
                      {Array.from({ length: i.quantity + 1 }, (_, n) => (
                        <option value={String(n)}>{n}</option>
                      ))}
                    </select>
                  </label>
                ))}
                <p class="muted small">Items are refunded at what the guest paid for them, discount and tax included.</p>
              </div>
            ) : null}
            <div class="field">
              <label for={`${id}-reason`}>Reason (optional)</label>
              <input id={`${id}-reason`} name="reason" type="text" maxLength={500} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
            </div>
          </>
        ) : null}
        {step.kind === 'code' ? (
          <>
            <p role="status">Nothing is refunded yet. A 6-digit code was sent to the theatre's approver on WhatsApp; it is valid for 5 minutes.</p>
            <div class="field">
              <label for={`${id}-code`}>Approval code</label>
              <input id={`${id}-code`} name="code" type="text" inputMode="numeric" autocomplete="one-time-code" maxLength={6} value={code} onInput={(e) => setCode((e.currentTarget as HTMLInputElement).value)} />
            </div>
          </>
        ) : null}
        {step.kind === 'done' ? (
          <p role="status" class="refund-done">
            {describeDone(order, step.order)}
          </p>
        ) : null}
        {error ? (
          <p role="alert" class="error">
            {error}
          </p>
        ) : null}
        <div class="dialog-actions">
          {step.kind !== 'done' ? (
            <button type="button" data-cancel onClick={() => ref.current?.close()}>
              Cancel
            </button>
          ) : null}
          <button type="submit" class={step.kind === 'done' ? 'primary' : 'danger'} data-close={step.kind === 'done' ? '' : undefined} disabled={busy}>
            {busy ? '…' : step.kind === 'ask' ? 'Refund' : step.kind === 'code' ? 'Confirm code' : 'Close'}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/**
 * `start(order)` opens the refund dialog and resolves with the order after it (null: nothing
 * refunded); render `element`. With `closeOnRefund` the dialog closes once refunded and the page
 * says what happened (refundSummary).
 */
export function useRefundDialog(options: { closeOnRefund?: boolean } = {}): { start(order: OrderView): Promise<OrderView | null>; element: VNode | null } {
  const { open, element } = useDialogPromise<OrderView, OrderView | null>((order, done) => (
    <RefundDialog order={order} closeOnRefund={options.closeOnRefund} onDone={done} />
  ));
  return { start: open, element };
}
