import type { VNode } from 'preact';
import { rupees } from '../lib/money.js';
import type { Totals } from '../../../src/protocol/index.js';

/** A rate as people write it: 2.5 %, 18 %. */
const percent = (rate: number) => `${rate.toLocaleString('en-IN', { maximumFractionDigits: 2 })}%`;

/**
 * The bill of an order or a cart: subtotal, discount (with the theatre's message), each tax with
 * its rate, and the total, from one `Totals` (protocol/totals.ts computes it; an order carries
 * the same fields). The subtotal shows only when something is taken off or added.
 * `pricesIncludeTax` says the taxes are inside the prices, not added.
 */
export function Bill(props: { totals: Totals; discountMessage?: string | null; pricesIncludeTax?: boolean; totalLabel?: string }): VNode {
  const { subtotal, discount, taxes, total } = props.totals;
  const included = props.pricesIncludeTax === true;
  return (
    <dl class="bill" aria-label="Bill">
      {discount > 0 || taxes.length > 0 ? (
        <div class="bill-line" data-bill="subtotal">
          <dt>Subtotal</dt>
          <dd>{rupees(subtotal)}</dd>
        </div>
      ) : null}
      {discount > 0 ? (
        <div class="bill-line discount" data-bill="discount">
          <dt>
            Discount
            {props.discountMessage ? <span class="bill-note">{props.discountMessage}</span> : null}
          </dt>
          <dd>−{rupees(discount)}</dd>
        </div>
      ) : null}
      {taxes.map((t) => (
        <div class="bill-line tax" data-bill="tax" data-tax={t.name}>
          <dt>
            {t.name} {percent(t.rate)}
            {included ? <span class="bill-note">included in the prices</span> : null}
          </dt>
          <dd>{included ? `(${rupees(t.amount)})` : rupees(t.amount)}</dd>
        </div>
      ))}
      <div class="bill-line total" data-bill="total">
        <dt>{props.totalLabel ?? 'Total'}</dt>
        <dd data-total>{rupees(total)}</dd>
      </div>
    </dl>
  );
}
