import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appError } from '../http/errors.js';
import { pathId } from '../http/route-schemas.js';
import { CHECKOUT_ASSETS } from './checkout.assets.js';
import type { CheckoutLinks, CheckoutPage } from './checkout-links.js';
import { CASHFREE_SDK_URL, CashfreeGateway } from './cashfree.gateway.js';
import type { GatewayRegistry } from './gateway.factory.js';
import type { PaymentService } from './payment.service.js';
import { RazorpayGateway } from './razorpay.gateway.js';

const outcomeBody = z.object({ outcome: z.enum(['pay', 'fail']) });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const rupees = (paise: number) => `₹${(paise / 100).toFixed(2)}`;

const SELF_ONLY = ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self'"];
/**
 * Razorpay Checkout is a script from checkout.razorpay.com that opens Razorpay's own frames and
 * calls its API; it styles its overlay with a style element, hence inline styles (never scripts).
 */
export const RAZORPAY_CHECKOUT_JS = 'https://checkout.razorpay.com/v1/checkout.js';
const razorpayPolicy = (scriptOrigin: string) => {
  // The configured script's origin joins Razorpay's own (RAZORPAY_CHECKOUT_URL, for tests offline).
  const extra = scriptOrigin === new URL(RAZORPAY_CHECKOUT_JS).origin ? '' : ` ${scriptOrigin}`;
  return [
    "default-src 'none'",
    `script-src 'self' https://checkout.razorpay.com${extra}`,
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' https://*.razorpay.com${extra}`,
    `frame-src https://*.razorpay.com${extra}`,
    `img-src 'self' data: https://*.razorpay.com${extra}`,
  ];
};
const RAZORPAY = razorpayPolicy(new URL(RAZORPAY_CHECKOUT_JS).origin);
/** No page here may be framed (clickjacking a Pay button), nor change where forms or relative links go. */
const ALWAYS = ["frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"];
/**
 * Cashfree's JS SDK (from its own origin, sdk.cashfree.com, or CASHFREE_SDK_URL's) opens
 * Cashfree's checkout, which may post a form to Cashfree; nothing else is allowed.
 */
const cashfreePolicy = (sdkOrigin: string) =>
  [
    "default-src 'none'",
    `script-src 'self' ${sdkOrigin}`,
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ${sdkOrigin} https://*.cashfree.com`,
    `frame-src ${sdkOrigin} https://*.cashfree.com`,
    `img-src 'self' data: ${sdkOrigin} https://*.cashfree.com`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    `form-action ${sdkOrigin} https://*.cashfree.com`,
  ].join('; ');
export const CHECKOUT_CSP: Record<CheckoutPage, string> = {
  sim: [...SELF_ONLY, ...ALWAYS].join('; '),
  razorpay: [...RAZORPAY, ...ALWAYS].join('; '),
  cashfree: cashfreePolicy(new URL(CASHFREE_SDK_URL).origin),
  // PhonePe's page is PhonePe's own: ours only redirects there.
  phonepe: [...SELF_ONLY, ...ALWAYS].join('; '),
};

function page(title: string, data: Record<string, string>, body: string, scripts: string[]): string {
  const attrs = Object.entries(data)
    .map(([k, v]) => ` data-${k}="${escapeHtml(v)}"`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/pay/assets/checkout.css"></head><body><main id="checkout"${attrs}>${body}</main>
${scripts.map((src) => `<script src="${escapeHtml(src)}"></script>`).join('')}</body></html>`;
}

function sendPage(reply: FastifyReply, which: CheckoutPage, html: string, csp = CHECKOUT_CSP[which]): FastifyReply {
  return reply.header('content-security-policy', csp).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8').send(html);
}

export interface CheckoutDeps {
  payments: PaymentService;
  links: CheckoutLinks;
  /** The gateways this deployment has configured: only their checkout pages exist. */
  gateway: GatewayRegistry;
}

/**
 * The checkout pages, each only for the configured gateway and only behind the link the payment
 * start handed out (CheckoutLinks); a wrong or bare link is 404 like an unknown payment.
 * The simulated page lets a person pay or fail: either button makes the server sign a webhook
 * exactly as a real gateway would and deliver it to `POST /api/payments/webhook`, so the rest
 * of the system cannot tell the difference. Production never configures the simulated gateway,
 * so there `/pay/sim` does not exist at all. The Razorpay page opens Razorpay Checkout with the
 * public key id and the gateway order.
 */
export function checkoutRoutes(app: FastifyInstance, deps: CheckoutDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  /** A checkout link: the payment's id and the MAC that makes it openable; a wrong MAC is 404 like an unknown id. */
  const linkParams = (which: CheckoutPage) =>
    z.object({ id: pathId('payment'), mac: z.string() }).refine((p) => deps.links.verify(which, p.id, p.mac), 'No such payment.');
  const tags = ['checkout pages'];
  const htmlPage = { 200: { content: { 'text/html': { schema: z.string() } } } };

  const assetTypes = { 'text/javascript': { schema: z.string() }, 'text/css': { schema: z.string() } };
  r.get('/pay/assets/:name', { schema: { tags, params: z.object({ name: z.string() }), response: { 200: { content: assetTypes } } } }, async (req, reply) => {
    const asset = Object.hasOwn(CHECKOUT_ASSETS, req.params.name) ? CHECKOUT_ASSETS[req.params.name] : undefined;
    if (!asset) throw appError('not_found');
    return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
  });

  if (deps.gateway.get('simulated')) {
    const params = linkParams('sim');
    r.get('/pay/sim/:id/:mac', { schema: { tags, params, response: htmlPage } }, async (req, reply) => {
      const payment = await deps.payments.getPayment(req.params.id);
      const html = page(
        'Simulated payment',
        { back: `/o/${payment.orderId}` },
        `<h1>Simulated payment</h1><p>Order ${payment.orderId}: <strong>${rupees(payment.amount)}</strong></p>
<p>This is the built-in test gateway. No money moves.</p>
<button id="pay" type="button">Pay ${rupees(payment.amount)}</button><button id="fail" type="button">Fail payment</button>
<p id="status" role="status" aria-live="polite"></p>`,
        ['/pay/assets/sim-checkout.js'],
      );
      return sendPage(reply, 'sim', html);
    });

    const simulated = z.object({ webhookStatus: z.number().int(), result: z.unknown().meta({ description: "the webhook route's answer" }) });
    r.post('/pay/sim/:id/:mac', { schema: { tags, params, body: outcomeBody, response: { 200: simulated } } }, async (req) => {
      const webhook = await deps.payments.simulateCheckout(req.params.id, req.body.outcome);
      // Delivered through the real webhook route: signature check, idempotency and all.
      const res = await app.inject({
        method: 'POST',
        url: '/api/payments/webhook',
        headers: { 'content-type': 'application/json', 'x-razorpay-signature': webhook.signature, 'x-razorpay-event-id': webhook.eventId },
        payload: webhook.rawBody,
      });
      return { webhookStatus: res.statusCode, result: res.json() as unknown };
    });
  }

  const razorpay = deps.gateway.get('razorpay');
  if (razorpay instanceof RazorpayGateway) {
    const keyId = razorpay.keyId;
    const checkoutJs = ('checkoutJs' in razorpay && typeof razorpay.checkoutJs === 'string' ? razorpay.checkoutJs : undefined) ?? RAZORPAY_CHECKOUT_JS;
    const csp = [...razorpayPolicy(new URL(checkoutJs).origin), ...ALWAYS].join('; ');
    r.get('/pay/razorpay/:id/:mac', { schema: { tags, params: linkParams('razorpay'), response: htmlPage } }, async (req, reply) => {
      const payment = await deps.payments.getPayment(req.params.id);
      const options = { key: keyId, order_id: payment.gatewayOrderId, amount: payment.amount, currency: payment.currency, name: 'scan2food' };
      const html = page(
        'Pay',
        { back: `/o/${payment.orderId}`, options: JSON.stringify(options) },
        `<h1>Pay ${rupees(payment.amount)}</h1><button id="pay" type="button">Pay with Razorpay</button>`,
        [checkoutJs, '/pay/assets/razorpay-checkout.js'],
      );
      return sendPage(reply, 'razorpay', html, csp);
    });
  }

  const cashfree = deps.gateway.get('cashfree');
  if (cashfree instanceof CashfreeGateway) {
    const sdkUrl = ('sdkUrl' in cashfree && typeof cashfree.sdkUrl === 'string' ? cashfree.sdkUrl : undefined) ?? CASHFREE_SDK_URL;
    const csp = cashfreePolicy(new URL(sdkUrl).origin);
    r.get('/pay/cashfree/:id/:mac', { schema: { tags, params: linkParams('cashfree'), response: htmlPage } }, async (req, reply) => {
      const payment = await deps.payments.getCheckout(req.params.id);
      if (payment.gateway !== 'cashfree' || !payment.checkoutRef) throw appError('not_found', 'No such payment.');
      const html = page(
        'Pay',
        { back: `/o/${payment.orderId}`, session: payment.checkoutRef, mode: cashfree.mode },
        `<h1>Pay ${rupees(payment.amount)}</h1><button id="pay" type="button">Pay with Cashfree</button><p id="status" role="status" aria-live="polite"></p>`,
        [sdkUrl, '/pay/assets/cashfree-checkout.js'],
      );
      return sendPage(reply, 'cashfree', html, csp);
    });
  }

  if (deps.gateway.get('phonepe')) {
    // PhonePe's pay page is hosted by PhonePe: the link sends the guest there (and PhonePe back to /o/<id>).
    r.get('/pay/phonepe/:id/:mac', { schema: { tags, params: linkParams('phonepe'), response: { 303: z.null() } } }, async (req, reply) => {
      const payment = await deps.payments.getCheckout(req.params.id);
      if (payment.gateway !== 'phonepe' || !payment.checkoutRef || !/^https?:\/\//.test(payment.checkoutRef)) throw appError('not_found', 'No such payment.');
      if (payment.status !== 'pending') return reply.header('cache-control', 'no-store').redirect(`/o/${payment.orderId}`, 303);
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(payment.checkoutRef, 303);
    });
  }
}
