import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import type { OrderView } from '../../../src/protocol/index.js';
import { autoPrintEnabled, printKot, setAutoPrint } from '../lib/kot-print.js';

/** The order's kitchen ticket, printed at once (the browser may ask first; see docs/web.md). */
export function PrintButton(props: { order: Pick<OrderView, 'id' | 'seat'> }): VNode {
  const { order } = props;
  return (
    <button type="button" class="act act-print" onClick={() => printKot(order.id)} aria-label={`Print kitchen ticket: order ${order.id}, seat ${order.seat.name}`}>
      Print
    </button>
  );
}

/** This browser's choice to print each new order as it arrives (kept in localStorage). */
export function AutoPrintSetting(): VNode {
  const [on, setOn] = useState(autoPrintEnabled);
  return (
    <label class="switch auto-print" title="Browsers ask before each print unless started for kiosk printing (see the setup guide).">
      <input
        type="checkbox"
        checked={on}
        onChange={(e) => {
          const checked = e.currentTarget.checked;
          setAutoPrint(checked);
          setOn(checked);
        }}
      />
      Print each new order automatically
    </label>
  );
}
