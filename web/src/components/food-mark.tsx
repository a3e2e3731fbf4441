import type { VNode } from 'preact';
import type { FoodType } from '../../../src/protocol/index.js';

/** What each mark says to a screen reader (and on hover). */
export const FOOD_TYPE_LABELS: Record<FoodType, string> = { veg: 'Vegetarian', nonveg: 'Non-vegetarian', egg: 'Contains egg' };

/**
 * The mark Indian menus carry: a square outline with a filled dot, green for veg, brown for
 * non-veg, amber for egg. Colour is not the only cue: each has its own label, read out as an image.
 */
export function FoodMark(props: { type: FoodType }): VNode {
  const label = FOOD_TYPE_LABELS[props.type];
  return (
    <span class={`food-mark food-${props.type}`} role="img" aria-label={label} title={label} data-food-type={props.type}>
      <span class="food-dot" aria-hidden="true" />
    </span>
  );
}
