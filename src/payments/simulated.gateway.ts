import type { PaymentGateway } from './payment.gateway.js';

/**
 * The built-in gateway for local use and tests: ids are made locally and nothing leaves the
 * process. Its checkout page (served by the HTTP layer at `checkoutUrl`) lets a person pay or
 * fail; the outcome comes back through the same signed webhook a real gateway sends, built by
 * PaymentService.simulateCheckout.
 */
export class SimulatedGateway implements PaymentGateway {
  readonly name = 'simulated' as const;
  readonly refunds: Array<{ gatewayPaymentId: string; amount: number }> = [];

  constructor(private readonly newId: () => string) {}

  async createOrder(): Promise<{ gatewayOrderId: string }> {
    return { gatewayOrderId: `order_sim_${this.newId()}` };
  }

  async refund(req: { gatewayPaymentId: string; amount: number }): Promise<{ refundId: string }> {
    this.refunds.push(req);
    return { refundId: `rfnd_sim_${this.newId()}` };
  }

  checkoutUrl(paymentId: number): string {
    return `/pay/sim/${paymentId}`;
  }
}
