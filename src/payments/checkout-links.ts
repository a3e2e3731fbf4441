import { createHmac, timingSafeEqual } from 'node:crypto';

/** The checkout pages this service serves, by gateway. */
export type CheckoutPage = 'sim' | 'razorpay' | 'cashfree' | 'phonepe';

/**
 * Checkout links that cannot be guessed: `/pay/<page>/<paymentId>/<mac>`, the mac an HMAC of the
 * page and payment id. Payment ids are sequential, so a bare `/pay/sim/<n>` let anyone read
 * every order's amount and (on the simulated page) pay or fail it.
 *
 * Why a mac and not the order token in the URL: the order token is the guest's bearer
 * credential for the whole order (reads, tickets, more payments); a URL ends up in history,
 * proxies' logs and Referer headers. The mac opens this one checkout page and nothing else, and
 * it needs no storage, so every process of a deployment checks it alike. Its key is derived
 * from PAYMENT_WEBHOOK_SECRET: whoever holds that can already sign any payment webhook, so the
 * link never grants more than the secret does.
 */
export class CheckoutLinks {
  private readonly key: Buffer;

  constructor(webhookSecret: string) {
    this.key = createHmac('sha256', webhookSecret).update('scan2food checkout link v1').digest();
  }

  url(page: CheckoutPage, paymentId: number): string {
    return `/pay/${page}/${paymentId}/${this.mac(page, paymentId)}`;
  }

  /** Whether `mac` is the one this deployment gave out for that page and payment. */
  verify(page: CheckoutPage, paymentId: number, mac: string): boolean {
    const expected = Buffer.from(this.mac(page, paymentId));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(page: CheckoutPage, paymentId: number): string {
    return createHmac('sha256', this.key).update(`${page}:${paymentId}`).digest('base64url');
  }
}
