import { randomUUID } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { buildWebhook } from '../../src/payments/webhook.js';
import { ApiClient } from './venue.js';
import type { TestApp } from './test-app.js';

type Http = Pick<TestApp, 'http'>;

export interface PlacedOrder {
  id: number;
  amount: number;
  token: string;
  gatewayOrderId: string;
  order: any;
}

/** Places an online order and starts its payment (the simulated gateway). */
export async function placeOnline(t: Http, order: { seatId: number; items: Array<{ itemId: number; quantity: number }>; phone: string }): Promise<PlacedOrder> {
  const placed = await new ApiClient(t as TestApp).call('POST', '/api/orders', { ...order, paymentMethod: 'online' });
  if (placed.status !== 201) throw new Error(`placing failed: ${placed.status} ${JSON.stringify(placed.body)}`);
  const token = placed.body.orderToken as string;
  const started = await new ApiClient(t as TestApp, token).call('POST', `/api/orders/${placed.body.order.id}/payments`);
  if (started.status !== 201) throw new Error(`payment start failed: ${started.status} ${JSON.stringify(started.body)}`);
  return { id: placed.body.order.id, amount: started.body.amount, token, gatewayOrderId: started.body.gatewayOrderId, order: placed.body.order };
}

/** Posts a signed `payment.captured` for the order's payment, as the gateway would (a fresh event id each time). */
export async function capture(t: Http, secret: string, o: Pick<PlacedOrder, 'gatewayOrderId' | 'amount'>, gatewayPaymentId = `pay_${randomUUID().slice(0, 12)}`): Promise<{ status: number; body: any }> {
  const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: o.gatewayOrderId, gatewayPaymentId, amount: o.amount, secret, eventId: `evt_${randomUUID()}`, at: new Date() });
  const res = await fetch(t.http('/api/payments/webhook'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId },
    body: hook.rawBody,
  });
  return { status: res.status, body: await res.json() };
}

/**
 * The text a PDF shows, line by line as its content streams draw it: each stream inflated when
 * compressed, then the hex strings of every `TJ` (pdfkit's way of writing text with the standard
 * fonts, WinAnsi bytes) joined. Enough to find what an invoice says, without a PDF library.
 */
export function pdfText(pdf: Buffer): string {
  const bytes = pdf.toString('latin1');
  const out: string[] = [];
  const streams = /<<([^]*?)>>\s*stream\r?\n/g;
  for (let m = streams.exec(bytes); m; m = streams.exec(bytes)) {
    const start = m.index + m[0].length;
    const end = bytes.indexOf('endstream', start);
    let data = pdf.subarray(start, end);
    if (/\/FlateDecode/.test(m[1]!)) {
      try {
        data = inflateSync(data);
      } catch {
        continue; // not a content stream we can read (fonts and images are not text)
      }
    }
    for (const tj of data.toString('latin1').matchAll(/\[((?:<[0-9a-fA-F]*>|\s|-?[\d.]+)*)\]\s*TJ/g)) {
      out.push([...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1]!, 'hex').toString('latin1')).join(''));
    }
  }
  return out.join('\n');
}
