import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { PaymentGateway } from './payment.gateway.js';
import { RazorpayGateway } from './razorpay.gateway.js';
import { SimulatedGateway } from './simulated.gateway.js';

/** Razorpay when configured (RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET), else the simulated gateway. */
export function createPaymentGateway(payments: Config['payments']): PaymentGateway {
  if (payments.gateway === 'simulated') return new SimulatedGateway(() => randomUUID());
  return new RazorpayGateway({ keyId: payments.keyId, keySecret: payments.keySecret, ...(payments.apiBase ? { apiBase: payments.apiBase } : {}) });
}
