import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import { appError } from '../http/errors.js';
import { CashfreeGateway } from './cashfree.gateway.js';
import type { CheckoutLinks, CheckoutPage } from './checkout-links.js';
import type { PaymentGateway, WebhookParser } from './payment.gateway.js';
import type { GatewayName } from './payment.table.js';
import { PhonePeGateway } from './phonepe.gateway.js';
import { RazorpayGateway } from './razorpay.gateway.js';
import { SimulatedGateway } from './simulated.gateway.js';

/**
 * A gateway whose guest checkout starts at this server's page for it, behind an unguessable link
 * (CheckoutLinks): the simulated page, Razorpay's (which loads Razorpay Checkout), Cashfree's
 * (which opens its checkout with the JS SDK), PhonePe's (which sends the guest on to its pay
 * page). `page` holds what that page reads: where it loads the gateway's script from.
 */
function linked<G extends PaymentGateway, P extends object>(gateway: G, links: CheckoutLinks, kind: CheckoutPage, page?: P): G & P {
  return Object.assign(gateway, page, { checkoutUrl: (paymentId: number) => links.url(kind, paymentId) });
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
  if (!config.production) gateways.push(linked(new SimulatedGateway(newId), links, 'sim'));
  const { payments, cashfree, phonepe } = config;
  if (payments.gateway === 'razorpay') {
    gateways.push(
      // checkoutJs: where the page loads Razorpay Checkout from (RAZORPAY_CHECKOUT_URL; tests: the fake's stand-in).
      linked(new RazorpayGateway({ keyId: payments.keyId, keySecret: payments.keySecret, ...(payments.apiBase ? { apiBase: payments.apiBase } : {}) }), links, 'razorpay', { checkoutJs: payments.checkoutJs }),
    );
  }
  if (cashfree) {
    const gateway = new CashfreeGateway({ appId: cashfree.appId, secretKey: cashfree.secretKey, newId, ...(cashfree.apiBase ? { apiBase: cashfree.apiBase } : {}) });
    gateways.push(linked(gateway, links, 'cashfree', { sdkUrl: cashfree.sdkUrl }));
  }
  if (phonepe) {
    gateways.push(
      linked(
        new PhonePeGateway({
          clientId: phonepe.clientId,
          clientSecret: phonepe.clientSecret,
          clientVersion: phonepe.clientVersion,
          webhookUsername: phonepe.webhookUsername,
          webhookPassword: phonepe.webhookPassword,
          newId,
          ...(phonepe.apiBase ? { apiBase: phonepe.apiBase } : {}),
        }),
        links,
        'phonepe',
      ),
    );
  }
  return new GatewayRegistry(gateways);
}
