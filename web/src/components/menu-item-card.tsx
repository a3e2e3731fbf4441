import type { VNode } from 'preact';
import { rupees } from '../lib/money.js';
import type { SeatMenuItem } from '../../../src/protocol/index.js';
import { FoodMark } from './food-mark.js';

/** The most of one item in a cart (SPEC §4: quantity 1 to 20 per line). */
export const MAX_QUANTITY = 20;

/**
 * One dish on the guest's menu: its mark, photo, name, description, price and the −/+ buttons.
 * The photo box has a fixed aspect ratio and the image loads lazily, so nothing moves when it
 * arrives; an item without a photo keeps the same layout without the box.
 */
export function MenuItemCard(props: { item: SeatMenuItem; quantity: number; onChange(delta: number): void }): VNode {
  const { item: i, quantity: q } = props;
  return (
    <li class={`menu-item${i.imageUrl ? ' with-photo' : ''}`} data-item={i.name}>
      {i.imageUrl ? <img class="menu-photo" src={i.imageUrl} alt={i.name} loading="lazy" decoding="async" width={160} height={120} /> : null}
      <div class="menu-text">
        <span class="name">
          <FoodMark type={i.foodType} /> {i.name}
        </span>
        {i.description ? <p class="description">{i.description}</p> : null}
        <span class="price">{rupees(i.price)}</span>
      </div>
      <span class="qty-controls">
        {q > 0 ? (
          <>
            <button type="button" class="round" aria-label={`Remove one ${i.name}`} onClick={() => props.onChange(-1)}>
              −
            </button>
            <span class="qty" aria-label={`${q} in cart`}>
              {q}
            </span>
          </>
        ) : null}
        <button type="button" class="round add" aria-label={`Add ${i.name}`} onClick={() => props.onChange(1)} disabled={q >= MAX_QUANTITY}>
          +
        </button>
      </span>
    </li>
  );
}
