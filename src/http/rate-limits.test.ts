import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.js';
import { DEFAULT_LIMITS } from '../config/limits.js';
import { isAppError } from './errors.js';
import { clientAddressKey, GuestLimits } from './rate-limits.js';

const memory = ({ name, points, durationSeconds }: { name: string; points: number; durationSeconds: number }) => new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds });

async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string; retryAfter: number } | null> {
  try {
    await p;
    return null;
  } catch (err) {
    if (!isAppError(err)) throw err;
    return { status: err.status, code: err.code, retryAfter: Number(err.headers['Retry-After']) };
  }
}

describe('GuestLimits', () => {
  it('refuses the order beyond the per-phone limit with 429 and a Retry-After within the window; other phones go on', async () => {
    const limits = new GuestLimits(memory, { ...DEFAULT_LIMITS, ordersPerPhone: 2, ordersPerPhoneWindowSeconds: 600 });
    expect(await refusal(limits.admitOrder('+919800000001', '10.0.0.1'))).toBeNull();
    expect(await refusal(limits.admitOrder('+919800000001', '10.0.0.2'))).toBeNull();
    const r = await refusal(limits.admitOrder('+919800000001', '10.0.0.3'));
    expect(r).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(r!.retryAfter).toBeGreaterThan(0);
    expect(r!.retryAfter).toBeLessThanOrEqual(600);
    expect(await refusal(limits.admitOrder('+919800000002', '10.0.0.3'))).toBeNull();
  });

  it('counts payment starts per order and per address separately, and names the limit of each refusal', async () => {
    const refusedBy: string[] = [];
    const limits = new GuestLimits(memory, { ...DEFAULT_LIMITS, paymentStartsPerOrder: 1, paymentStartsPerAddress: 2 }, (limit) => refusedBy.push(limit));
    expect(await refusal(limits.admitPaymentStart(1, 'a'))).toBeNull();
    expect(await refusal(limits.admitPaymentStart(1, 'b'))).toMatchObject({ status: 429 });
    expect(await refusal(limits.admitPaymentStart(2, 'a'))).toBeNull();
    expect(await refusal(limits.admitPaymentStart(3, 'a'))).toMatchObject({ status: 429 });
    // These feed scan2food_guest_requests_limited_total{limit} in /metrics.
    expect(refusedBy).toEqual(['payments-order', 'payments-address']);
  });
});

describe('clientAddressKey', () => {
  it('keeps IPv4 (also IPv4-mapped) and keys IPv6 by its /64, however it is written', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:0db8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('guest limit configuration', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'scan2food-cfg-'));

  it('takes the documented defaults and environment overrides', () => {
    expect(loadConfig({ DATA_DIR: dir() }).limits).toMatchObject({ ordersPerPhone: 10, ordersPerAddress: 600, paymentStartsPerOrder: 5, openCashOrdersPerPhone: 3, openCashOrdersPerAddress: 30, maxOrderTotalPaise: 50_000_000 });
    const c = loadConfig({ DATA_DIR: dir(), ORDERS_PER_PHONE: '4', OPEN_CASH_ORDERS_PER_ADDRESS: '80', MAX_ORDER_TOTAL_PAISE: '10000000000' });
    expect(c.limits).toMatchObject({ ordersPerPhone: 4, openCashOrdersPerAddress: 80, maxOrderTotalPaise: 10_000_000_000 });
  });

  it('refuses zero, words and totals beyond Number.MAX_SAFE_INTEGER, naming the variable', () => {
    const cases: Array<[string, string]> = [['ORDERS_PER_PHONE', '0'], ['PAYMENT_STARTS_PER_ORDER', 'five'], ['MAX_ORDER_TOTAL_PAISE', '9007199254740993']];
    for (const [name, value] of cases) {
      expect(() => loadConfig({ DATA_DIR: dir(), [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ DATA_DIR: dir(), [name]: value })).toThrow(name);
    }
  });
});
