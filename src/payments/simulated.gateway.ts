import type { GatewayOrderStatus, PaymentGateway, RefundRequest } from './payment.gateway.js';

/**
 * The built-in gateway for local use and tests: ids are made locally and nothing leaves the
 * process. Its checkout page (served by the HTTP layer at `checkoutUrl`) lets a person pay or
 * fail; the outcome comes back through the same signed webhook a real gateway sends, built by
 * PaymentService.simulateCheckout, and the gateway remembers it for its status API (in this
 * process's memory: enough for local use and tests).
 */
export class SimulatedGateway implements PaymentGateway {
  readonly name = 'simulated' as const;
  /** Refunds made, once per idempotency key (as a real gateway does). */
  readonly refunds: RefundRequest[] = [];
  private readonly refundIds = new Map<string, string>();
  private readonly outcomes = new Map<string, GatewayOrderStatus>();

  constructor(private readonly newId: () => string) {}

  async createOrder(): Promise<{ gatewayOrderId: string }> {
    return { gatewayOrderId: `order_sim_${this.newId()}` };
  }

  async refund(req: RefundRequest): Promise<{ refundId: string }> {
    const earlier = this.refundIds.get(req.idempotencyKey);
    if (earlier) return { refundId: earlier };
    const refundId = `rfnd_sim_${this.newId()}`;
    this.refundIds.set(req.idempotencyKey, refundId);
    this.refunds.push(req);
    return { refundId };
  }

  async status(gatewayOrderId: string): Promise<GatewayOrderStatus> {
    return this.outcomes.get(gatewayOrderId) ?? { state: 'pending' };
  }

  /** Records what the simulated checkout did, as the gateway's own books would (a capture is final). */
  settle(gatewayOrderId: string, outcome: GatewayOrderStatus): void {
    if (this.outcomes.get(gatewayOrderId)?.state === 'paid') return;
    this.outcomes.set(gatewayOrderId, outcome);
  }

  checkoutUrl(paymentId: number): string {
    return `/pay/sim/${paymentId}`;
  }
}
