import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseId, parseInput } from '../http/validate.js';
import type { PaymentService } from './payment.service.js';

const outcomeBody = z.object({ outcome: z.enum(['pay', 'fail']) });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const rupees = (paise: number) => `₹${(paise / 100).toFixed(2)}`;

function page(title: string, body: string, script = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}
button{font-size:1.1rem;padding:.8rem 1.2rem;margin:.3rem .3rem 0 0;border-radius:.5rem;border:1px solid #444;cursor:pointer}
#pay{background:#0a7d32;color:#fff}#fail{background:#fff;color:#a00}</style></head><body>${body}${script}</body></html>`;
}

/**
 * The simulated gateway's checkout: a page where a person pays or fails a payment. Either button
 * makes the server sign a webhook exactly as a real gateway would and deliver it to
 * `POST /api/payments/webhook`, so the rest of the system cannot tell the difference.
 * The Razorpay page opens Razorpay Checkout with the public key id and the gateway order.
 */
export function checkoutRoutes(app: FastifyInstance, deps: { payments: PaymentService; razorpayKeyId: string | undefined }): void {
  app.get<{ Params: { id: string } }>('/pay/sim/:id', async (req, reply) => {
    const payment = await deps.payments.getPayment(parseId(req.params.id, 'payment'));
    const back = `/o/${payment.orderId}`;
    const html = page(
      'Simulated payment',
      `<h1>Simulated payment</h1><p>Order ${payment.orderId}: <strong>${rupees(payment.amount)}</strong></p>
<p>This is the built-in test gateway. No money moves.</p>
<button id="pay" type="button">Pay ${rupees(payment.amount)}</button><button id="fail" type="button">Fail payment</button>
<p id="status" role="status" aria-live="polite"></p>`,
      `<script>
for (const outcome of ['pay','fail']) document.getElementById(outcome).addEventListener('click', async () => {
  const status = document.getElementById('status');
  status.textContent = 'Processing…';
  const res = await fetch(location.pathname, {method:'POST', headers:{'content-type':'application/json'}, body: JSON.stringify({outcome})});
  status.textContent = res.ok ? 'Done. Returning to your order…' : 'Could not complete: ' + res.status;
  if (res.ok) setTimeout(() => location.assign(${JSON.stringify(back)}), 300);
});
</script>`,
    );
    return reply.type('text/html; charset=utf-8').send(html);
  });

  app.post<{ Params: { id: string } }>('/pay/sim/:id', async (req) => {
    const { outcome } = parseInput(outcomeBody, req.body);
    const webhook = await deps.payments.simulateCheckout(parseId(req.params.id, 'payment'), outcome);
    // Delivered through the real webhook route: signature check, idempotency and all.
    const res = await app.inject({
      method: 'POST',
      url: '/api/payments/webhook',
      headers: { 'content-type': 'application/json', 'x-razorpay-signature': webhook.signature, 'x-razorpay-event-id': webhook.eventId },
      payload: webhook.rawBody,
    });
    return { webhookStatus: res.statusCode, result: res.json() as unknown };
  });

  app.get<{ Params: { id: string } }>('/pay/razorpay/:id', async (req, reply) => {
    const payment = await deps.payments.getPayment(parseId(req.params.id, 'payment'));
    const options = { key: deps.razorpayKeyId ?? '', order_id: payment.gatewayOrderId, amount: payment.amount, currency: payment.currency, name: 'scan2food' };
    const back = `/o/${payment.orderId}`;
    return reply.type('text/html; charset=utf-8').send(
      page(
        'Pay',
        `<h1>Pay ${rupees(payment.amount)}</h1><button id="pay" type="button">Pay with Razorpay</button>`,
        `<script src="https://checkout.razorpay.com/v1/checkout.js"></script><script>
const options = ${JSON.stringify(options)};
options.handler = () => location.assign(${JSON.stringify(back)});
options.modal = { ondismiss: () => location.assign(${JSON.stringify(back)}) };
document.getElementById('pay').addEventListener('click', () => new Razorpay(options).open());
</script>`,
      ),
    );
  });
}
