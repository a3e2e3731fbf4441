import { GatewayError, type CreateOrderRequest, type GatewayOrderStatus, type PaymentGateway, type RefundRequest } from './payment.gateway.js';

export const RAZORPAY_API_BASE = 'https://api.razorpay.com/v1';
const DEFAULT_TIMEOUT_MS = 10_000;

export interface RazorpayOptions {
  keyId: string;
  keySecret: string;
  /** Defaults to the public API; tests point it at a local fake. */
  apiBase?: string;
  timeoutMs?: number;
}

/**
 * Razorpay's Orders and Refunds API over HTTP basic auth (key_id:key_secret). The guest pays on
 * Razorpay Checkout, which needs the public key id and the gateway order id: the local page at
 * `checkoutUrl` loads checkout.js with them.
 */
export class RazorpayGateway implements PaymentGateway {
  readonly name = 'razorpay' as const;
  private readonly apiBase: string;
  private readonly authorization: string;

  constructor(private readonly opts: RazorpayOptions) {
    this.apiBase = (opts.apiBase ?? RAZORPAY_API_BASE).replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${opts.keyId}:${opts.keySecret}`).toString('base64')}`;
  }

  /** The public key id Razorpay Checkout is opened with (never the secret). */
  get keyId(): string {
    return this.opts.keyId;
  }

  async createOrder(req: CreateOrderRequest): Promise<{ gatewayOrderId: string }> {
    const body = await this.post('/orders', { amount: req.amount, currency: req.currency, receipt: req.receipt });
    if (typeof body.id !== 'string') throw new GatewayError('Razorpay order answer has no id');
    return { gatewayOrderId: body.id };
  }

  /** Razorpay's idempotent refund: a retry with the same X-Refund-Idempotency never refunds twice. */
  async refund(req: RefundRequest): Promise<{ refundId: string }> {
    const path = `/payments/${encodeURIComponent(req.gatewayPaymentId)}/refund`;
    const body = await this.post(path, { amount: req.amount }, { 'x-refund-idempotency': req.idempotencyKey });
    if (typeof body.id !== 'string') throw new GatewayError('Razorpay refund answer has no id');
    return { refundId: body.id };
  }

  /**
   * The order's payments (`GET /orders/{id}/payments`): a captured one pays it. Razorpay lets a
   * guest try again on the same order after a failed attempt, so only a capture is final here.
   */
  async status(gatewayOrderId: string): Promise<GatewayOrderStatus> {
    const body = await this.request('GET', `/orders/${encodeURIComponent(gatewayOrderId)}/payments`);
    const items = Array.isArray(body.items) ? (body.items as Array<Record<string, unknown>>) : [];
    const captured = items.find((p) => p.status === 'captured' && typeof p.id === 'string' && typeof p.amount === 'number');
    if (captured) return { state: 'paid', gatewayPaymentId: captured.id as string, amount: captured.amount as number, currency: String(captured.currency ?? '') };
    return { state: 'pending' };
  }

  checkoutUrl(paymentId: number): string {
    return `/pay/razorpay/${paymentId}`;
  }

  private post(path: string, payload: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
    return this.request('POST', path, payload, headers);
  }

  private async request(method: 'GET' | 'POST', path: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(this.apiBase + path, {
        method,
        headers: { authorization: this.authorization, accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (err) {
      throw new GatewayError(`Razorpay is unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      // Razorpay errors: {"error":{"code":"BAD_REQUEST_ERROR","description":"..."}}
      const error = body.error as { code?: string; description?: string } | undefined;
      throw new GatewayError(`Razorpay ${res.status} ${error?.code ?? ''}: ${error?.description ?? 'no description'}`, res.status);
    }
    return body;
  }
}
