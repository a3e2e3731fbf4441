import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import { appError } from '../http/errors.js';
import { CashfreeGateway, type CashfreeOptions } from './cashfree.gateway.js';
import type { CheckoutLinks } from './checkout-links.js';
import type { PaymentGateway, WebhookParser } from './payment.gateway.js';
import type { GatewayName } from './payment.table.js';
import { PhonePeGateway, type PhonePeOptions } from './phonepe.gateway.js';
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
    /** Where the checkout page loads Razorpay Checkout from (RAZORPAY_CHECKOUT_URL; tests: the fake's stand-in). */
    readonly checkoutJs: string | undefined = undefined,
  ) {
    super(opts);
  }

  override checkoutUrl(paymentId: number): string {
    return this.links.url('razorpay', paymentId);
  }
}

/** Cashfree, its local checkout page (which opens Cashfree's checkout with the JS SDK) behind an unguessable link. */
class LinkedCashfreeGateway extends CashfreeGateway {
  constructor(
    opts: CashfreeOptions,
    readonly sdkUrl: string | undefined,
    private readonly links: CheckoutLinks,
  ) {
    super(opts);
  }

  override checkoutUrl(paymentId: number): string {
    return this.links.url('cashfree', paymentId);
  }
}

/** PhonePe, its local checkout link (which sends the guest on to PhonePe's pay page). */
class LinkedPhonePeGateway extends PhonePeGateway {
  constructor(
    opts: PhonePeOptions,
    private readonly links: CheckoutLinks,
  ) {
    super(opts);
  }

  override checkoutUrl(paymentId: number): string {
    return this.links.url('phonepe', paymentId);
  }
}

/**
 * The gateways configured on this server, by name. Each theatre takes payments through one of
 * them (SPEC §6 Gateways); the payment records which, and everything after (webhooks, the
 * status check, refunds) goes through that one.
 */
export class GatewayRegistry {
  private readonly byName = new Map<GatewayName, PaymentGateway>();

  constructor(gateways: PaymentGateway[]) {
    for (const g of gateways) this.byName.set(g.name, g);
  }

  get(name: GatewayName): PaymentGateway | undefined {
    return this.byName.get(name);
  }

  names(): GatewayName[] {
    return [...this.byName.keys()];
  }

  /** @throws unavailable when this server has no such gateway configured */
  require(name: GatewayName): PaymentGateway {
    const gateway = this.byName.get(name);
    if (!gateway) {
      throw appError('unavailable', `The payment gateway ${name} is not configured on this server; online payment is unavailable for this theatre; ask the theatre's staff.`);
    }
    return gateway;
  }

  /** The gateway whose webhooks come to `POST /api/payments/webhook/<name>`, if configured. */
  webhookParser(name: GatewayName): (PaymentGateway & WebhookParser) | undefined {
    const gateway = this.byName.get(name);
    return gateway && 'parseWebhook' in gateway ? (gateway as PaymentGateway & WebhookParser) : undefined;
  }
}

/**
 * Every gateway the configuration enables: Razorpay, Cashfree and PhonePe when their variables
 * are set, and the simulated one except in production (it confirms orders with no money moving;
 * configuration refuses production without a real gateway).
 */
export function createGatewayRegistry(
  config: Pick<Config, 'production' | 'payments' | 'cashfree' | 'phonepe'>,
  links: CheckoutLinks,
  newId: () => string = () => randomUUID(),
): GatewayRegistry {
  const gateways: PaymentGateway[] = [];
  if (!config.production) gateways.push(new LinkedSimulatedGateway(newId, links));
  const { payments, cashfree, phonepe } = config;
  if (payments.gateway === 'razorpay') {
    gateways.push(
      new LinkedRazorpayGateway({ keyId: payments.keyId, keySecret: payments.keySecret, ...(payments.apiBase ? { apiBase: payments.apiBase } : {}) }, links, payments.checkoutJs),
    );
  }
  if (cashfree) {
    gateways.push(new LinkedCashfreeGateway({ appId: cashfree.appId, secretKey: cashfree.secretKey, newId, ...(cashfree.apiBase ? { apiBase: cashfree.apiBase } : {}) }, cashfree.sdkUrl, links));
  }
  if (phonepe) {
    gateways.push(
      new LinkedPhonePeGateway(
        {
          clientId: phonepe.clientId,
          clientSecret: phonepe.clientSecret,
          clientVersion: phonepe.clientVersion,
          webhookUsername: phonepe.webhookUsername,
          webhookPassword: phonepe.webhookPassword,
          newId,
          ...(phonepe.apiBase ? { apiBase: phonepe.apiBase } : {}),
        },
        links,
      ),
    );
  }
  return new GatewayRegistry(gateways);
}
