import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientAddressKey, type GuestLimits } from '../http/rate-limits.js';
import { answerOf, idParams } from '../http/route-schemas.js';
import { GATEWAY_NAMES } from '../protocol/index.js';
import type { WebhookResult } from './webhook.handler.js';
import type { PaymentService, StartedPayment } from './payment.service.js';

export interface PaymentRouteDeps {
  payments: PaymentService;
  /** Payment starts per order and per client address (429 with Retry-After beyond). */
  limits: GuestLimits;
}

const startedPayment = answerOf<StartedPayment>()(
  z.object({
    paymentId: z.number().int(),
    gateway: z.enum(GATEWAY_NAMES),
    gatewayOrderId: z.string(),
    amount: z.number().int().meta({ description: 'paise' }),
    currency: z.literal('INR'),
    checkoutUrl: z.string(),
  }),
);

const webhookResult = answerOf<WebhookResult>()(
  z.union([
    z.object({ status: z.literal('processed') }),
    z.object({ status: z.literal('duplicate') }),
    z.object({ status: z.literal('ignored'), reason: z.string() }),
  ]),
);

/**
 * The raw bytes a webhook's sender signed: no parser runs before the signature is checked (null
 * when the request had no body).
 */
export const rawBody = z
  .custom<Buffer | null>((v) => v === null || Buffer.isBuffer(v))
  .meta({ description: 'The event, exactly as signed', type: 'string', format: 'binary' });

/** Starting a payment (guest, with the order token) and the gateway's webhook (SPEC §4). */
export function paymentRoutes(app: FastifyInstance, deps: PaymentRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/orders/:id/payments',
    { config: { auth: 'order-token' }, schema: { tags: ['payments'], params: idParams('order'), response: { 201: startedPayment } } },
    async (req, reply) => {
      // Only the order's own guest spends its allowance: a wrong token never reaches here.
      await deps.limits.admitPaymentStart(req.params.id, clientAddressKey(req.ip));
      // Hosted checkouts send the guest back to this site as they reached it (Host, or the
      // forwarded host behind a trusted proxy).
      return reply.status(201).send(await deps.payments.startPayment(req.params.id, { origin: `${req.protocol}://${req.host}` }));
    },
  );

  // The webhook signature covers the exact bytes received, so this route keeps its body raw.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const raw = scope.withTypeProvider<ZodTypeProvider>();
    raw.post(
      '/api/payments/webhook',
      {
        schema: {
          tags: ['payments'],
          headers: z.looseObject({ 'x-razorpay-signature': z.string().optional(), 'x-razorpay-event-id': z.string().optional() }),
          body: rawBody,
          response: { 200: webhookResult },
        },
      },
      async (req) => {
        const body = req.body ?? Buffer.alloc(0);
        const signature = req.headers['x-razorpay-signature'];
        const eventId = req.headers['x-razorpay-event-id'];
        const result = await deps.payments.handleWebhook(body, signature, eventId);
        req.log.info({ event: 'payment_webhook', result: result.status, eventId }, 'payment webhook');
        return result;
      },
    );

    // Cashfree and PhonePe, each in its own wire format and signature (SPEC §6 Gateways).
    for (const gateway of ['cashfree', 'phonepe'] as const) {
      const headers =
        gateway === 'cashfree'
          ? z.looseObject({ 'x-webhook-timestamp': z.string().optional(), 'x-webhook-signature': z.string().optional() })
          : z.looseObject({ authorization: z.string().optional().meta({ description: 'hex SHA-256 of username:password' }) });
      raw.post(
        `/api/payments/webhook/${gateway}`,
        { schema: { tags: ['payments'], headers, body: rawBody, response: { 200: webhookResult } } },
        async (req) => {
          const result = await deps.payments.handleGatewayWebhook(gateway, req.body ?? Buffer.alloc(0), req.headers);
          req.log.info({ event: 'payment_webhook', gateway, result: result.status }, 'payment webhook');
          return result;
        },
      );
    }
  });
}
