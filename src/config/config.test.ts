import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSecret } from '../keys/keys-file.js';
import { ConfigError, loadConfig } from './config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'scan2food-cfg-'));

describe('loadConfig', () => {
  it('generates missing keys once outside production and reuses them on the next start', () => {
    const DATA_DIR = dir();
    const first = loadConfig({ DATA_DIR });
    expect(first.generated).toContain('CHAT_WS_KEY');
    expect(statSync(join(DATA_DIR, 'keys.env')).mode & 0o777).toBe(0o600);
    const second = loadConfig({ DATA_DIR });
    expect(second.generated).toEqual([]);
    expect(second.keys).toEqual(first.keys);
  });

  it('splits key lists, current first', () => {
    const [a, b] = [generateSecret(), generateSecret()];
    const c = loadConfig({ DATA_DIR: dir(), CHAT_WS_KEY: `${a}, ${b}` });
    expect(c.keys.chat).toEqual([a, b]);
  });

  it('refuses production without keys, naming every missing variable and writing nothing', () => {
    const DATA_DIR = dir();
    try {
      loadConfig({ NODE_ENV: 'production', DATA_DIR });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      for (const v of ['LIVE_ORDERS_WS_KEY', 'PAYMENT_STATUS_WS_KEY', 'CHAT_WS_KEY', 'TICKET_SECRET', 'PAYMENT_WEBHOOK_SECRET']) expect(msg).toContain(v);
    }
    expect(() => readFileSync(join(DATA_DIR, 'keys.env'))).toThrow();
  });

  it('rejects a bad PORT, a bad origin and a bad log level with readable messages', () => {
    expect(() => loadConfig({ DATA_DIR: dir(), PORT: 'eighty' })).toThrow(/PORT must be a whole number/);
    expect(() => loadConfig({ DATA_DIR: dir(), ALLOWED_ORIGINS: 'https://ok.example,not an origin' })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => loadConfig({ DATA_DIR: dir(), LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  it('reads TRUST_PROXY as boolean, hop count or address list', () => {
    expect(loadConfig({ DATA_DIR: dir() }).trustProxy).toBe(false);
    expect(loadConfig({ DATA_DIR: dir(), TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ DATA_DIR: dir(), TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ DATA_DIR: dir(), TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });
  it('reads the scaling settings: retention, PostgreSQL schema, Redis prefix, presence ttl (at most 22 s)', () => {
    const c = loadConfig({ DATA_DIR: dir(), RETENTION_EVENTS: '50', RETENTION_HOURS: '2', DATABASE_SCHEMA: 'tenant_a', REDIS_PREFIX: 'demo:', PRESENCE_TTL_SECONDS: '3' });
    expect(c.limits).toMatchObject({ retentionEvents: 50, retentionMs: 2 * 3600_000, presenceTtlMs: 3000 });
    expect(c).toMatchObject({ databaseSchema: 'tenant_a', redisPrefix: 'demo:' });
    const d = loadConfig({ DATA_DIR: dir() });
    expect(d.limits).toMatchObject({ retentionEvents: 1000, retentionMs: 24 * 3600_000, presenceTtlMs: 15_000 });
    expect(d).toMatchObject({ databaseSchema: undefined, redisPrefix: 'scan2food:' });
    expect(() => loadConfig({ DATA_DIR: dir(), PRESENCE_TTL_SECONDS: '30' })).toThrow(/PRESENCE_TTL_SECONDS/);
    expect(() => loadConfig({ DATA_DIR: dir(), DATABASE_SCHEMA: 'x; drop' })).toThrow(/DATABASE_SCHEMA/);
  });

  const productionKeys = () => ({
    NODE_ENV: 'production',
    LIVE_ORDERS_WS_KEY: generateSecret(),
    PAYMENT_STATUS_WS_KEY: generateSecret(),
    CHAT_WS_KEY: generateSecret(),
    TICKET_SECRET: generateSecret(),
    PAYMENT_WEBHOOK_SECRET: generateSecret(),
  });
  const problemsOf = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    return [];
  };

  it('refuses production without a real gateway (the simulated one confirms orders with no money), and takes Razorpay when both variables are set', () => {
    const problems = problemsOf(() => loadConfig({ ...productionKeys(), DATA_DIR: dir() }));
    expect(problems).toEqual([expect.stringMatching(/RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET are required in production/)]);
    const keyId = `rzp_test_${generateSecret().slice(0, 14)}`;
    const c = loadConfig({ ...productionKeys(), DATA_DIR: dir(), RAZORPAY_KEY_ID: keyId, RAZORPAY_KEY_SECRET: generateSecret() });
    expect(c.payments).toMatchObject({ gateway: 'razorpay', keyId });
    expect(loadConfig({ DATA_DIR: dir() }).payments).toEqual({ gateway: 'simulated' });
  });

  it('takes Cashfree or PhonePe as the real gateway of production; the variables of each gateway go together; status check timings', () => {
    const cashfree = loadConfig({ ...productionKeys(), DATA_DIR: dir(), CASHFREE_APP_ID: 'TESTapp', CASHFREE_SECRET_KEY: generateSecret() });
    expect(cashfree.cashfree).toMatchObject({ appId: 'TESTapp', apiBase: undefined });
    expect(cashfree.payments).toEqual({ gateway: 'simulated' });
    const phonepe = { PHONEPE_CLIENT_ID: 'M1', PHONEPE_CLIENT_SECRET: generateSecret(), PHONEPE_WEBHOOK_USERNAME: 'u', PHONEPE_WEBHOOK_PASSWORD: generateSecret() };
    expect(loadConfig({ ...productionKeys(), DATA_DIR: dir(), ...phonepe }).phonepe).toMatchObject({ clientId: 'M1', clientVersion: '1', webhookUsername: 'u' });
    expect(problemsOf(() => loadConfig({ DATA_DIR: dir(), CASHFREE_APP_ID: 'x' }))).toEqual([expect.stringMatching(/CASHFREE_APP_ID and CASHFREE_SECRET_KEY go together/)]);
    expect(problemsOf(() => loadConfig({ DATA_DIR: dir(), ...phonepe, PHONEPE_WEBHOOK_PASSWORD: '' }))).toEqual([expect.stringMatching(/PHONEPE_CLIENT_ID, PHONEPE_CLIENT_SECRET, PHONEPE_WEBHOOK_USERNAME and PHONEPE_WEBHOOK_PASSWORD go together/)]);
    expect(loadConfig({ DATA_DIR: dir() }).paymentChecks).toEqual({ afterMs: 120_000, maxIntervalMs: 900_000, giveUpMs: 48 * 3_600_000 });
    expect(loadConfig({ DATA_DIR: dir(), PAYMENT_STATUS_CHECK_AFTER_SECONDS: '5' }).paymentChecks.afterMs).toBe(5_000);
    expect(problemsOf(() => loadConfig({ DATA_DIR: dir(), PAYMENT_STATUS_CHECK_AFTER_SECONDS: '0' }))).toEqual([expect.stringMatching(/PAYMENT_STATUS_CHECK_AFTER_SECONDS must be at least 1/)]);
  });

  it('outside production keeps a corrupt keys file aside (0600), says so, and keeps the keys of its clean lines', () => {
    const DATA_DIR = dir();
    const file = join(DATA_DIR, 'keys.env');
    const chat = generateSecret();
    const damaged = generateSecret();
    const original = `CHAT_WS_KEY=${chat}\nLIVE_ORDERS_WS_KEY=${damaged.slice(0, 10)}\u0000${damaged.slice(10)}\ngarbage line\n`;
    writeFileSync(file, original, { mode: 0o600 });
    const c = loadConfig({ DATA_DIR });
    const aside = readdirSync(DATA_DIR).filter((f) => f.startsWith('keys.env.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(DATA_DIR, aside[0]!), 'utf8')).toBe(original);
    expect(statSync(join(DATA_DIR, aside[0]!)).mode & 0o777).toBe(0o600);
    expect(c.warnings.join('\n')).toMatch(/was corrupt \(line 2: .*; line 3: not a NAME=value line\)/);
    expect(c.warnings.join('\n')).toContain(`kept it as ${join(DATA_DIR, aside[0]!)}`);
    expect(c.warnings.join('\n')).toMatch(/regenerated LIVE_ORDERS_WS_KEY/);
    expect(c.warnings.join('\n')).not.toContain(damaged.slice(10));
    expect(c.keys.chat).toEqual([chat]);
    expect(c.keys['live-orders'][0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.keys['live-orders'][0]).not.toContain(damaged.slice(10));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The new file is clean: the next start neither warns nor regenerates.
    const again = loadConfig({ DATA_DIR });
    expect(again.warnings).toEqual([]);
    expect(again.keys).toEqual(c.keys);
  });

  it('in production refuses a corrupt keys file, naming the line and never the value', () => {
    const DATA_DIR = dir();
    const secret = generateSecret();
    writeFileSync(join(DATA_DIR, 'keys.env'), `CHAT_WS_KEY=${secret}\u001b\n`, { mode: 0o600 });
    const problems = problemsOf(() => loadConfig({ ...productionKeys(), DATA_DIR, RAZORPAY_KEY_ID: 'rzp_test_x', RAZORPAY_KEY_SECRET: generateSecret() }));
    expect(problems).toEqual([expect.stringMatching(/keys file .*keys\.env is corrupt \(line 1: .*\): fix or remove those lines/)]);
    expect(problems.join()).not.toContain(secret);
    expect(readdirSync(DATA_DIR)).toEqual(['keys.env']);
  });

  it('says what is wrong when the keys file is a folder or DATA_DIR is a file', () => {
    const DATA_DIR = dir();
    mkdirSync(join(DATA_DIR, 'keys.env'));
    expect(problemsOf(() => loadConfig({ DATA_DIR }))).toEqual([`the keys file ${join(DATA_DIR, 'keys.env')} is a folder, not a file: remove it or point KEYS_FILE at a file`]);
    const file = join(dir(), 'not-a-folder');
    writeFileSync(file, 'x');
    expect(problemsOf(() => loadConfig({ DATA_DIR: file }))).toEqual([expect.stringMatching(new RegExp(`^DATA_DIR ${file} is a file, not a folder: remove it or set DATA_DIR to a folder`))]);
    expect(problemsOf(() => loadConfig({ DATA_DIR: join(file, 'data') }))).toEqual([expect.stringMatching(/is under .*not-a-folder, a file, not a folder/)]);
    // Production on PostgreSQL never uses DATA_DIR (a read-only filesystem is fine there).
    const pg = { ...productionKeys(), DATA_DIR: file, DATABASE_URL: 'postgres://db.invalid/x', RAZORPAY_KEY_ID: 'rzp_test_x', RAZORPAY_KEY_SECRET: generateSecret() };
    expect(loadConfig(pg).dataDir).toBe(file);
  });

  it('reads the slow-client timeouts and socket caps, with defaults, and refuses a header timeout above the request timeout', () => {
    const c = loadConfig({ DATA_DIR: dir(), HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '5000', MAX_SOCKETS_PER_ORDER: '3', MAX_SOCKETS_PER_THEATRE: '40', MAX_TICKET_SOCKETS_PER_ADDRESS: '900' });
    expect(c.limits).toMatchObject({ httpHeadersTimeoutMs: 2000, httpRequestTimeoutMs: 5000, maxSocketsPerOrder: 3, maxSocketsPerTheatre: 40, maxTicketSocketsPerAddress: 900 });
    expect(loadConfig({ DATA_DIR: dir() }).limits).toMatchObject({ httpHeadersTimeoutMs: 10_000, httpRequestTimeoutMs: 30_000, maxSocketsPerOrder: 5, maxSocketsPerTheatre: 200, maxTicketSocketsPerAddress: 5_000 });
    expect(() => loadConfig({ DATA_DIR: dir(), HTTP_HEADERS_TIMEOUT_MS: '40000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS \(40000\) must not exceed HTTP_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ DATA_DIR: dir(), MAX_SOCKETS_PER_ORDER: '0' })).toThrow(/MAX_SOCKETS_PER_ORDER must be at least 1/);
  });

  it('reads the WhatsApp cap for numbers that neither paid nor wrote, 3 a day by default', () => {
    expect(loadConfig({ DATA_DIR: dir() }).whatsapp.unknownPhoneCap).toBe(3);
    expect(loadConfig({ DATA_DIR: dir(), WHATSAPP_UNKNOWN_PHONE_CAP: '0' }).whatsapp.unknownPhoneCap).toBe(0);
    expect(() => loadConfig({ DATA_DIR: dir(), WHATSAPP_UNKNOWN_PHONE_CAP: 'lots' })).toThrow(/WHATSAPP_UNKNOWN_PHONE_CAP must be a whole number/);
  });
});
