import { GatewayError, type PaymentGateway, type RefundRequest } from './payment.gateway.js';

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

  async createOrder(req: { amount: number; currency: 'INR'; receipt: string }): Promise<{ gatewayOrderId: string }> {
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

  checkoutUrl(paymentId: number): string {
    return `/pay/razorpay/${paymentId}`;
  }

  private async post(path: string, payload: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(this.apiBase + path, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify(payload),
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
