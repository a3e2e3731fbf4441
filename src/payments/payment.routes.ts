import type { FastifyInstance } from 'fastify';
import { bearerToken } from '../accounts/session.http.js';
import { appError } from '../http/errors.js';
import { clientAddressKey, type GuestLimits } from '../http/rate-limits.js';
import { parseId } from '../http/validate.js';
import type { OrderService } from '../orders/order.service.js';
import type { PaymentService } from './payment.service.js';

export interface PaymentRouteDeps {
  payments: PaymentService;
  orders: OrderService;
  committed: () => void;
  /** Payment starts per order and per client address (429 with Retry-After beyond). */
  limits: GuestLimits;
}

/** Starting a payment (guest, with the order token) and the gateway's webhook (SPEC §4). */
export function paymentRoutes(app: FastifyInstance, deps: PaymentRouteDeps): void {
  app.post<{ Params: { id: string } }>('/api/orders/:id/payments', async (req, reply) => {
    const orderId = parseId(req.params.id, 'order');
    const token = bearerToken(req);
    if (!token) throw appError('unauthorized', 'The order token is required.');
    if (!(await deps.orders.verifyOrderToken(orderId, token))) throw appError('not_found', 'No such order.');
    // Only the order's own guest spends its allowance: a wrong token above never reaches here.
    await deps.limits.admitPaymentStart(orderId, clientAddressKey(req.ip));
    const started = await deps.payments.startPayment(orderId);
    deps.committed();
    return reply.status(201).send(started);
  });

  // The webhook signature covers the exact bytes received, so this route keeps its body raw.
  void app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    raw.post('/api/payments/webhook', async (req) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = req.headers['x-razorpay-signature'];
      const eventId = req.headers['x-razorpay-event-id'];
      const result = await deps.payments.handleWebhook(
        body,
        typeof signature === 'string' ? signature : undefined,
        typeof eventId === 'string' ? eventId : undefined,
      );
      deps.committed();
      req.log.info({ event: 'payment_webhook', result: result.status, eventId }, 'payment webhook');
      return result;
    });
  });
}
