import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from './payment.gateway.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * One JSON call to a gateway's API. Network failures and non-2xx answers throw GatewayError
 * (with the status when the gateway answered); `describeError` turns the gateway's error body
 * into a message. Request headers (which carry credentials) never reach a message or a log.
 */
export async function callJson(
  gateway: string,
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; timeoutMs?: number },
  describeError: (body: Record<string, unknown>) => string,
): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: { accept: 'application/json', ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: AbortSignal.timeout(init.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (err) {
    throw new GatewayError(`${gateway} is unreachable: ${err instanceof Error ? err.message : String(err)}`);
  }
  const body = (await res.json().catch(() => ({}))) as unknown;
  // Some answers are a JSON array (Cashfree's payments of an order): they come back as { value }.
  const object = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : { value: body };
  if (!res.ok) throw new GatewayError(`${gateway} ${res.status}: ${describeError(object)}`, res.status);
  return object;
}

/** Paise (integer) from an amount in rupees with up to two decimals, as Cashfree writes them. */
export function paiseFromRupees(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return -1;
  return Math.round(n * 100);
}

/** Equal strings in constant time (hashing first, so lengths do not leak either). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** One header's value (the first, when repeated). */
export function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Cashfree and PhonePe refund by their order, not by payment: their gateway payment ids are
 * `<gatewayOrderId>:<their payment id>` so a refund (which is given the payment id) finds the
 * order. Our own gateway order ids never contain `:`.
 */
export function joinPaymentId(gatewayOrderId: string, paymentId: string): string {
  return `${gatewayOrderId}:${paymentId}`;
}

export function orderOfPaymentId(gatewayPaymentId: string): string {
  const i = gatewayPaymentId.indexOf(':');
  if (i <= 0) throw new GatewayError(`not a payment id of this gateway: ${gatewayPaymentId.slice(0, 80)}`, 400);
  return gatewayPaymentId.slice(0, i);
}

/** Ids the gateways send back that we store and use as keys: printable, bounded. */
export const SAFE_ID = /^[A-Za-z0-9_.:-]{1,120}$/;
