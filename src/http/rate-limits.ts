import { isIPv4 } from 'node:net';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Limits } from '../config/limits.js';
import { appError } from './errors.js';

/** What a limit counts: `points` requests per key within `durationSeconds`. */
export interface RateLimitSpec {
  /** Distinguishes this limit's counters from every other's (a Redis key prefix). */
  name: string;
  points: number;
  durationSeconds: number;
}

/** Builds a limiter in memory or in Redis; chosen once, in engines.ts. */
export type RateLimiterFactory = (spec: RateLimitSpec) => RateLimiterAbstract;

/** One named limit: each `take` spends a point, and a key over its limit is refused. */
export class RateLimit {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly message: string,
    private readonly onRefused: () => void = () => undefined,
  ) {}

  /** @throws rate_limited (429) with Retry-After in whole seconds once `key` is over the limit. */
  async take(key: string): Promise<void> {
    try {
      await this.limiter.consume(key, 1);
    } catch (err) {
      // Over the limit is an answer; anything else (Redis down without insurance) is a real error.
      if (!(err instanceof RateLimiterRes)) throw err;
      this.onRefused();
      throw appError('rate_limited', this.message, { 'Retry-After': String(Math.max(1, Math.ceil(err.msBeforeNext / 1000))) });
    }
  }
}

/**
 * The limits on anonymous guests (issue 10): orders per phone and per client address, payment
 * starts per order and per client address. The per-address limits are generous on purpose (a
 * cinema's guests may all share one public address); the per-phone and per-order ones stop one
 * abuser.
 */
export class GuestLimits {
  private readonly ordersPerPhone: RateLimit;
  private readonly ordersPerAddress: RateLimit;
  private readonly startsPerOrder: RateLimit;
  private readonly startsPerAddress: RateLimit;

  /** `onRefused` is told the name of each limit that refused a request (the metric's label). */
  constructor(make: RateLimiterFactory, limits: Limits, onRefused: (limit: string) => void = () => undefined) {
    const limit = (name: string, points: number, durationSeconds: number, message: string) =>
      new RateLimit(make({ name, points, durationSeconds }), message, () => onRefused(name));
    this.ordersPerPhone = limit('orders-phone', limits.ordersPerPhone, limits.ordersPerPhoneWindowSeconds, 'Too many orders for this phone number; wait and retry.');
    this.ordersPerAddress = limit('orders-address', limits.ordersPerAddress, limits.ordersPerAddressWindowSeconds, 'Too many orders from this network; wait and retry.');
    this.startsPerOrder = limit('payments-order', limits.paymentStartsPerOrder, limits.paymentStartsPerOrderWindowSeconds, 'Too many payment attempts for this order; wait and retry.');
    this.startsPerAddress = limit('payments-address', limits.paymentStartsPerAddress, limits.paymentStartsPerAddressWindowSeconds, 'Too many payment attempts from this network; wait and retry.');
  }

  /** Before a new order is placed (not for an idempotent replay). `phone` is normalised E.164. */
  async admitOrder(phone: string, clientAddress: string): Promise<void> {
    await this.ordersPerAddress.take(clientAddress);
    await this.ordersPerPhone.take(phone);
  }

  /** Before a payment of `orderId` is started by a caller holding its order token. */
  async admitPaymentStart(orderId: number, clientAddress: string): Promise<void> {
    await this.startsPerAddress.take(clientAddress);
    await this.startsPerOrder.take(String(orderId));
  }
}

/**
 * The key of a client address for per-address limits and counts: an IPv4 address as is (also
 * when IPv4-mapped), an IPv6 address by its /64 network, since one subscriber gets a whole /64
 * and could otherwise rotate addresses freely.
 */
export function clientAddressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (isIPv4(ip) || !ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('%')[0]!.toLowerCase().split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
