import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { CheckoutLinks } from './checkout-links.js';
import type { PaymentGateway } from './payment.gateway.js';
import { RazorpayGateway, type RazorpayOptions } from './razorpay.gateway.js';
import { SimulatedGateway } from './simulated.gateway.js';

/** The simulated gateway, its checkout page behind an unguessable link (see CheckoutLinks). */
class LinkedSimulatedGateway extends SimulatedGateway {
  constructor(
    newId: () => string,
    private readonly links: CheckoutLinks,
  ) {
    super(newId);
  }

  override checkoutUrl(paymentId: number): string {
    return this.links.url('sim', paymentId);
  }
}

/** Razorpay, its local checkout page (which loads Razorpay Checkout) behind an unguessable link. */
class LinkedRazorpayGateway extends RazorpayGateway {
  constructor(
    opts: RazorpayOptions,
    private readonly links: CheckoutLinks,
  ) {
    super(opts);
  }

  override checkoutUrl(paymentId: number): string {
    return this.links.url('razorpay', paymentId);
  }
}

/**
 * Razorpay when configured (RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET), else the simulated gateway;
 * configuration never selects the simulated one in production.
 */
export function createPaymentGateway(payments: Config['payments'], links: CheckoutLinks): PaymentGateway {
  if (payments.gateway === 'simulated') return new LinkedSimulatedGateway(() => randomUUID(), links);
  return new LinkedRazorpayGateway({ keyId: payments.keyId, keySecret: payments.keySecret, ...(payments.apiBase ? { apiBase: payments.apiBase } : {}) }, links);
}
