import { createHash } from 'node:crypto';
import type { OrderPaymentStatus, PaymentMethod } from '../protocol/index.js';

/*
 * The kitchen order ticket (KOT, SPEC §6): one HTML page laid out for an 80 mm thermal printer
 * (about 72 mm printable), big enough to read across a counter. Every piece of text is escaped:
 * the notes are the guest's own words. The page's one style sheet and one script are constants,
 * allowed by their hashes in its Content-Security-Policy, so nothing else inline can ever run.
 */

export interface KitchenTicket {
  orderId: number;
  theatreName: string;
  /** IANA zone the times are shown in (the theatre's). */
  timeZone: string;
  placedAt: string;
  confirmedAt: string | null;
  seat: { name: string; row: string; hall: string };
  items: Array<{ name: string; quantity: number }>;
  notes: string | null;
  paymentMethod: PaymentMethod;
  paymentStatus: OrderPaymentStatus;
  total: number;
  /** Minutes the order should take. */
  maxTime: number;
}

const STYLE = `
@page { size: 80mm auto; margin: 0; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; color: #000; }
body { font: 14px/1.3 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
main { width: 72mm; margin: 0 auto; padding: 3mm 0 6mm; }
p, h1, h2 { margin: 0; }
.theatre { text-align: center; font-weight: bold; }
.kind { text-align: center; font-size: 12px; letter-spacing: 0.1em; }
h1 { text-align: center; font-size: 40px; line-height: 1.1; margin: 2mm 0 1mm; }
.time { text-align: center; }
.place { display: grid; grid-template-columns: auto 1fr; gap: 0 3mm; margin: 2mm 0; padding: 2mm 0; border-top: 2px dashed #000; border-bottom: 2px dashed #000; font-size: 18px; }
.place dt { font-weight: normal; }
.place dd { margin: 0; font-weight: bold; overflow-wrap: anywhere; }
table { width: 100%; border-collapse: collapse; font-size: 18px; }
th { text-align: left; font-size: 12px; border-bottom: 1px solid #000; }
td { padding: 1mm 0; vertical-align: top; overflow-wrap: anywhere; }
td.q { width: 12mm; font-weight: bold; white-space: nowrap; }
.notes { margin-top: 2mm; padding: 1.5mm; border: 2px solid #000; }
.notes h2 { font-size: 12px; }
.notes p { font-size: 16px; white-space: pre-wrap; overflow-wrap: anywhere; }
.pay { margin-top: 2mm; padding-top: 2mm; border-top: 2px dashed #000; font-weight: bold; }
.foot { font-size: 12px; margin-top: 1mm; }
@media screen { body { background: #eee; } main { background: #fff; padding: 3mm; margin: 4mm auto; width: 80mm; } }
`;

/** `?print=1` prints the ticket once it has loaded (the dashboard's Print button and auto-print). */
const SCRIPT = `if (new URLSearchParams(location.search).get('print') === '1') addEventListener('load', function () { print(); });`;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/**
 * Nothing loads from anywhere; only this page's own style and script run. The dashboard frames
 * it (a hidden frame prints it), so it may be framed by this origin alone.
 */
export const KOT_CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const rupees = (paise: number) => `₹${(paise / 100).toFixed(2)}`;

const PAYMENT_TEXT: Record<OrderPaymentStatus, string> = {
  due: 'COLLECT',
  created: 'NOT PAID',
  pending: 'PAYING',
  success: 'PAID',
  failed: 'PAYMENT FAILED',
  refunded: 'REFUNDED',
};

/** "02 Dec 2026, 17:05" in `timeZone`. */
export function ticketTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

export function renderKot(t: KitchenTicket): string {
  const e = escapeHtml;
  const when = t.confirmedAt ?? t.placedAt;
  const items = t.items.map((i) => `<tr><td class="q">${i.quantity}×</td><td>${e(i.name)}</td></tr>`).join('');
  const count = t.items.reduce((n, i) => n + i.quantity, 0);
  const notes = t.notes?.trim() ? `<section class="notes"><h2>NOTES</h2><p>${e(t.notes.trim())}</p></section>` : '';
  const method = t.paymentMethod === 'cash' ? 'CASH' : 'ONLINE';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>KOT #${t.orderId}</title><style>${STYLE}</style></head>
<body><main class="ticket" data-order-id="${t.orderId}">
<p class="theatre">${e(t.theatreName)}</p>
<p class="kind">KITCHEN ORDER TICKET</p>
<h1>#${t.orderId}</h1>
<p class="time"><time datetime="${e(when)}">${e(ticketTime(when, t.timeZone))}</time></p>
<dl class="place"><dt>Seat</dt><dd class="seat">${e(t.seat.name)}</dd><dt>Row</dt><dd class="row">${e(t.seat.row)}</dd><dt>Hall</dt><dd class="hall">${e(t.seat.hall)}</dd></dl>
<table class="items"><thead><tr><th>QTY</th><th>ITEM (${count})</th></tr></thead><tbody>${items}</tbody></table>
${notes}
<p class="pay">${method} · ${PAYMENT_TEXT[t.paymentStatus]} · ${rupees(t.total)}</p>
<p class="foot">Serve within ${t.maxTime} min</p>
</main><script>${SCRIPT}</script></body></html>
`;
}
