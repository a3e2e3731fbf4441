import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { decodeKeysFile, generateSecret, inspectKeysFile, keepCorruptKeysFile, keysFileUnusable, readKeysFile, splitKeyList, writeKeysFile } from '../keys/keys-file.js';
import type { SocketKeys } from '../keys/key-store.js';
import { SOCKET_KEY_VARS, SOCKET_NAMES } from '../realtime/sockets.js';
import { WHATSAPP_DEFAULTS, type WhatsAppConfig } from '../chat/whatsapp.config.js';
import { DEFAULT_LIMITS, MIN_KEY_LENGTH, type Limits } from './limits.js';

/** Secrets that sign things; like the socket keys, production refuses to start without them. */
export const SIGNING_SECRET_VARS = ['TICKET_SECRET', 'PAYMENT_WEBHOOK_SECRET'] as const;
export type SigningSecretVar = (typeof SIGNING_SECRET_VARS)[number];

export interface Config {
  production: boolean;
  host: string;
  port: number;
  dataDir: string;
  keysFile: string;
  /** Explicit allow-list; `null` means "same host and port as the request". */
  allowedOrigins: string[] | null;
  /** As Fastify and proxy-addr take it: false, true, a hop count, or addresses/CIDRs. */
  trustProxy: boolean | number | string[];
  databaseUrl: string | undefined;
  /** PostgreSQL schema to create and use (DATABASE_SCHEMA); the connection's default when unset. */
  databaseSchema: string | undefined;
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel (REDIS_PREFIX): deployments (and test runs) sharing a Redis stay apart. */
  redisPrefix: string;
  logLevel: string;
  limits: Limits;
  keys: SocketKeys;
  secrets: Record<SigningSecretVar, string>;
  /** Razorpay when its key id and secret are set; the simulated gateway otherwise (never in production). */
  payments:
    | { gateway: 'simulated' }
    | { gateway: 'razorpay'; keyId: string; keySecret: string; apiBase: string | undefined; checkoutJs?: string | undefined };
  /** Cashfree when CASHFREE_APP_ID and CASHFREE_SECRET_KEY are set (issue 14; docs/payments.md). */
  cashfree: { appId: string; secretKey: string; apiBase: string | undefined; sdkUrl: string | undefined } | undefined;
  /** PhonePe when its client id, secret and webhook credentials are set. */
  phonepe:
    | { clientId: string; clientSecret: string; clientVersion: string; apiBase: string | undefined; webhookUsername: string; webhookPassword: string }
    | undefined;
  /** The background status check of payments left pending (a lost webhook, a closed page). */
  paymentChecks: { afterMs: number; maxIntervalMs: number; giveUpMs: number };
  /** Variables that were generated into the keys file during this start (names only). */
  generated: string[];
  /** Things the operator must hear about at start (a corrupt keys file kept aside), never values. */
  warnings: string[];
  whatsapp: WhatsAppConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;

const intFrom = (name: string, min: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min, `${name} must be at least ${min}`);

/** Environment names of the anonymous-ordering limits (limits.ts), e.g. ORDERS_PER_PHONE. */
const GUEST_LIMIT_VARS = {
  ORDERS_PER_PHONE: 'ordersPerPhone',
  ORDERS_PER_PHONE_WINDOW_SECONDS: 'ordersPerPhoneWindowSeconds',
  ORDERS_PER_ADDRESS: 'ordersPerAddress',
  ORDERS_PER_ADDRESS_WINDOW_SECONDS: 'ordersPerAddressWindowSeconds',
  PAYMENT_STARTS_PER_ORDER: 'paymentStartsPerOrder',
  PAYMENT_STARTS_PER_ORDER_WINDOW_SECONDS: 'paymentStartsPerOrderWindowSeconds',
  PAYMENT_STARTS_PER_ADDRESS: 'paymentStartsPerAddress',
  PAYMENT_STARTS_PER_ADDRESS_WINDOW_SECONDS: 'paymentStartsPerAddressWindowSeconds',
  OPEN_CASH_ORDERS_PER_PHONE: 'openCashOrdersPerPhone',
  OPEN_CASH_ORDERS_PER_ADDRESS: 'openCashOrdersPerAddress',
  MAX_ORDER_TOTAL_PAISE: 'maxOrderTotalPaise',
} as const satisfies Record<string, keyof Limits>;

function guestLimitVars() {
  const vars = {} as Record<keyof typeof GUEST_LIMIT_VARS, z.ZodOptional<z.ZodType<number, string>>>;
  for (const name of Object.keys(GUEST_LIMIT_VARS) as Array<keyof typeof GUEST_LIMIT_VARS>) {
    vars[name] = intFrom(name, 1)
      .refine((n) => Number.isSafeInteger(n), `${name} must be at most ${Number.MAX_SAFE_INTEGER}`)
      .optional();
  }
  return vars;
}

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intFrom('PORT', 0).refine((n) => n <= 65535, 'PORT must be at most 65535').default(8000),
  DATA_DIR: z.string().min(1).default('./data'),
  KEYS_FILE: z.string().min(1).optional(),
  ALLOWED_ORIGINS: z.string().optional(),
  TRUST_PROXY: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'DATABASE_SCHEMA must be a lower-case SQL identifier').optional(),
  REDIS_URL: z.string().optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_.-]{1,100}$/, 'REDIS_PREFIX may hold letters, digits and : _ . -').default('scan2food:'),
  RAZORPAY_KEY_ID: z.string().optional(),
  RAZORPAY_KEY_SECRET: z.string().optional(),
  RAZORPAY_API_BASE: z.url().optional(),
  RAZORPAY_CHECKOUT_URL: z.url({ protocol: /^https?$/ }).optional(),
  CASHFREE_APP_ID: z.string().optional(),
  CASHFREE_SECRET_KEY: z.string().optional(),
  CASHFREE_API_BASE: z.url().optional(),
  CASHFREE_SDK_URL: z.url({ protocol: /^https?$/ }).optional(),
  PHONEPE_CLIENT_ID: z.string().optional(),
  PHONEPE_CLIENT_SECRET: z.string().optional(),
  PHONEPE_CLIENT_VERSION: z.string().regex(/^\d{1,6}$/, 'PHONEPE_CLIENT_VERSION must be a number').default('1'),
  PHONEPE_API_BASE: z.url().optional(),
  PHONEPE_WEBHOOK_USERNAME: z.string().optional(),
  PHONEPE_WEBHOOK_PASSWORD: z.string().optional(),
  PAYMENT_STATUS_CHECK_AFTER_SECONDS: intFrom('PAYMENT_STATUS_CHECK_AFTER_SECONDS', 1).default(120),
  PAYMENT_STATUS_CHECK_MAX_INTERVAL_SECONDS: intFrom('PAYMENT_STATUS_CHECK_MAX_INTERVAL_SECONDS', 1).default(900),
  PAYMENT_STATUS_CHECK_GIVE_UP_HOURS: intFrom('PAYMENT_STATUS_CHECK_GIVE_UP_HOURS', 1).default(48),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AUTH_FAIL_LIMIT: intFrom('AUTH_FAIL_LIMIT', 1).optional(),
  HEARTBEAT_INTERVAL_MS: intFrom('HEARTBEAT_INTERVAL_MS', 100).optional(),
  MAX_BUFFERED_BYTES: intFrom('MAX_BUFFERED_BYTES', 1024).optional(),
  SHUTDOWN_GRACE_MS: intFrom('SHUTDOWN_GRACE_MS', 0).optional(),
  WHATSAPP_API_BASE: z.url({ protocol: /^https?$/, error: 'WHATSAPP_API_BASE must be an http(s) URL like https://graph.facebook.com/v21.0' }).default(WHATSAPP_DEFAULTS.apiBase),
  WHATSAPP_TOKEN: z.string().optional(),
  WHATSAPP_PHONE_NUMBER_ID: z.string().regex(/^\d{1,32}$/, 'WHATSAPP_PHONE_NUMBER_ID must be the numeric phone number id').optional(),
  WHATSAPP_APP_SECRET: z.string().optional(),
  WHATSAPP_VERIFY_TOKEN: z.string().optional(),
  WHATSAPP_TEMPLATE_ORDER_CONFIRMED: z.string().regex(TEMPLATE_NAME, 'WHATSAPP_TEMPLATE_ORDER_CONFIRMED must be a template name (a-z, 0-9, _)').default(WHATSAPP_DEFAULTS.templates.order_confirmed),
  WHATSAPP_TEMPLATE_ORDER_REFUNDED: z.string().regex(TEMPLATE_NAME, 'WHATSAPP_TEMPLATE_ORDER_REFUNDED must be a template name (a-z, 0-9, _)').default(WHATSAPP_DEFAULTS.templates.order_refunded),
  WHATSAPP_TEMPLATE_UNSEEN_ORDER: z.string().regex(TEMPLATE_NAME, 'WHATSAPP_TEMPLATE_UNSEEN_ORDER must be a template name (a-z, 0-9, _)').default(WHATSAPP_DEFAULTS.templates.unseen_order),
  WHATSAPP_TEMPLATE_REFUND_CODE: z.string().regex(TEMPLATE_NAME, 'WHATSAPP_TEMPLATE_REFUND_CODE must be a template name (a-z, 0-9, _)').default(WHATSAPP_DEFAULTS.templates.refund_code),
  WHATSAPP_TEMPLATE_REFUND_REQUEST: z.string().regex(TEMPLATE_NAME, 'WHATSAPP_TEMPLATE_REFUND_REQUEST must be a template name (a-z, 0-9, _)').default(WHATSAPP_DEFAULTS.templates.refund_request),
  WHATSAPP_TEMPLATE_LANGUAGE: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'WHATSAPP_TEMPLATE_LANGUAGE must be a language code like en or en_US').default(WHATSAPP_DEFAULTS.templateLanguage),
  WHATSAPP_MAX_ATTEMPTS: intFrom('WHATSAPP_MAX_ATTEMPTS', 1).refine((n) => n <= 20, 'WHATSAPP_MAX_ATTEMPTS must be at most 20').optional(),
  WHATSAPP_RETRY_BASE_MS: intFrom('WHATSAPP_RETRY_BASE_MS', 1).optional(),
  WHATSAPP_RETRY_MAX_MS: intFrom('WHATSAPP_RETRY_MAX_MS', 1).optional(),
  WHATSAPP_REQUEST_TIMEOUT_MS: intFrom('WHATSAPP_REQUEST_TIMEOUT_MS', 100).optional(),
  WHATSAPP_SENDER_POLL_MS: intFrom('WHATSAPP_SENDER_POLL_MS', 10).optional(),
  WHATSAPP_UNKNOWN_PHONE_CAP: intFrom('WHATSAPP_UNKNOWN_PHONE_CAP', 0).refine((n) => n <= 100, 'WHATSAPP_UNKNOWN_PHONE_CAP must be at most 100').optional(),
  UNSEEN_ALERT_SECONDS: intFrom('UNSEEN_ALERT_SECONDS', 1).optional(),
  UNSEEN_CHECK_MS: intFrom('UNSEEN_CHECK_MS', 10).optional(),
  RETENTION_EVENTS: intFrom('RETENTION_EVENTS', 1).optional(),
  RETENTION_HOURS: intFrom('RETENTION_HOURS', 1).optional(),
  ...guestLimitVars(),
  HTTP_HEADERS_TIMEOUT_MS: intFrom('HTTP_HEADERS_TIMEOUT_MS', 100).optional(),
  HTTP_REQUEST_TIMEOUT_MS: intFrom('HTTP_REQUEST_TIMEOUT_MS', 100).optional(),
  MAX_SOCKETS_PER_ORDER: intFrom('MAX_SOCKETS_PER_ORDER', 1).optional(),
  MAX_SOCKETS_PER_THEATRE: intFrom('MAX_SOCKETS_PER_THEATRE', 1).optional(),
  MAX_TICKET_SOCKETS_PER_ADDRESS: intFrom('MAX_TICKET_SOCKETS_PER_ADDRESS', 1).optional(),
  IDEMPOTENCY_RETENTION_HOURS: intFrom('IDEMPOTENCY_RETENTION_HOURS', 1).optional(),
  WEBHOOK_RETENTION_HOURS: intFrom('WEBHOOK_RETENTION_HOURS', 25).optional(),
  HOUSEKEEPING_INTERVAL_SECONDS: intFrom('HOUSEKEEPING_INTERVAL_SECONDS', 1).optional(),
  PRESENCE_TTL_SECONDS: intFrom('PRESENCE_TTL_SECONDS', 1)
    .refine((n) => n <= 22, 'PRESENCE_TTL_SECONDS must be at most 22 (a dead process must leave presence within 30 s)')
    .optional(),
});

function whatsappConfig(e: z.output<typeof envSchema>): WhatsAppConfig {
  const d = WHATSAPP_DEFAULTS;
  return {
    apiBase: e.WHATSAPP_API_BASE.replace(/\/+$/, ''),
    unknownPhoneCap: e.WHATSAPP_UNKNOWN_PHONE_CAP ?? d.unknownPhoneCap,
    token: e.WHATSAPP_TOKEN || undefined,
    phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID || undefined,
    appSecret: e.WHATSAPP_APP_SECRET || undefined,
    verifyToken: e.WHATSAPP_VERIFY_TOKEN || undefined,
    templates: { order_confirmed: e.WHATSAPP_TEMPLATE_ORDER_CONFIRMED, order_refunded: e.WHATSAPP_TEMPLATE_ORDER_REFUNDED, unseen_order: e.WHATSAPP_TEMPLATE_UNSEEN_ORDER, refund_code: e.WHATSAPP_TEMPLATE_REFUND_CODE, refund_request: e.WHATSAPP_TEMPLATE_REFUND_REQUEST },
    templateLanguage: e.WHATSAPP_TEMPLATE_LANGUAGE,
    unseenAlertSeconds: e.UNSEEN_ALERT_SECONDS ?? d.unseenAlertSeconds,
    unseenCheckMs: e.UNSEEN_CHECK_MS ?? d.unseenCheckMs,
    maxAttempts: e.WHATSAPP_MAX_ATTEMPTS ?? d.maxAttempts,
    retryBaseMs: e.WHATSAPP_RETRY_BASE_MS ?? d.retryBaseMs,
    retryMaxMs: e.WHATSAPP_RETRY_MAX_MS ?? d.retryMaxMs,
    requestTimeoutMs: e.WHATSAPP_REQUEST_TIMEOUT_MS ?? d.requestTimeoutMs,
    senderPollMs: e.WHATSAPP_SENDER_POLL_MS ?? d.senderPollMs,
  };
}

function parseOrigins(value: string | undefined, problems: string[]): string[] | null {
  if (value === undefined || value.trim() === '') return null;
  const origins: string[] = [];
  for (const raw of splitKeyList(value)) {
    try {
      const url = new URL(raw);
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || raw.endsWith('/')) {
        throw new Error('not an origin');
      }
      origins.push(url.origin);
    } catch {
      problems.push(`ALLOWED_ORIGINS: "${raw}" is not an origin like https://host[:port]`);
    }
  }
  return origins;
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return splitKeyList(value);
}

/**
 * Reads and checks the whole configuration once, at start. Key and secret values come from the
 * keys file when it names them (that is the file `scan2food keys rotate` edits), else from the
 * environment. Outside production, missing ones are generated into the keys file (mode 0600).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const production = e.NODE_ENV === 'production';
  const dataDir = resolve(e.DATA_DIR);
  const keysFile = resolve(e.KEYS_FILE ?? `${dataDir}/keys.env`);
  const allowedOrigins = parseOrigins(e.ALLOWED_ORIGINS, problems);
  const warnings: string[] = [];

  // DATA_DIR matters when it holds the SQLite database or keys generated outside production;
  // production on PostgreSQL may run on a read-only filesystem and never touches it.
  const holds = [...(production ? [] : ['generated keys']), ...(e.DATABASE_URL ? [] : ['SQLite database'])];
  const unusable = pathProblems(holds.length > 0 ? { dataDir, holds: holds.join(' and ') } : null, keysFile);
  problems.push(...unusable);
  const decoded = unusable.length > 0 ? decodeKeysFile('') : inspectKeysFile(keysFile);
  const corrupt = decoded.problems.length > 0;
  if (corrupt) {
    const where = decoded.problems.map((p) => `line ${p.line}: ${p.reason}`).join('; ');
    // Production never guesses: the operator fixes the file. Elsewhere the file is kept aside below.
    if (production) throw new ConfigError([`the keys file ${keysFile} is corrupt (${where}): fix or remove those lines`]);
    warnings.push(`the keys file ${keysFile} was corrupt (${where})`);
  }
  const fileValues = decoded.values;
  const generated: string[] = [];
  const valueOf = (name: string): string | undefined => {
    const v = fileValues[name] ?? env[name];
    if (v !== undefined && v.trim() !== '') return v;
    if (production) return undefined;
    const fresh = generateSecret();
    fileValues[name] = fresh;
    generated.push(name);
    return fresh;
  };

  const keys = {} as SocketKeys;
  for (const socket of SOCKET_NAMES) {
    const name = SOCKET_KEY_VARS[socket];
    const list = splitKeyList(valueOf(name));
    if (list.length === 0) problems.push(`${name} is required in production (generate one with: scan2food keys generate)`);
    if (production) {
      for (const key of list) {
        if (key.length < MIN_KEY_LENGTH || !BASE64URL.test(key)) {
          problems.push(`${name}: every key must be at least ${MIN_KEY_LENGTH} base64url characters (32 random bytes)`);
          break;
        }
      }
    }
    keys[socket] = list;
  }
  const secrets = {} as Record<SigningSecretVar, string>;
  for (const name of SIGNING_SECRET_VARS) {
    const value = valueOf(name);
    if (value === undefined) problems.push(`${name} is required in production (generate one with: scan2food keys generate)`);
    else if (production && value.length < MIN_KEY_LENGTH) problems.push(`${name} must be at least ${MIN_KEY_LENGTH} characters`);
    secrets[name] = value ?? '';
  }
  let cashfree: Config['cashfree'];
  if (e.CASHFREE_APP_ID || e.CASHFREE_SECRET_KEY) {
    if (!e.CASHFREE_APP_ID || !e.CASHFREE_SECRET_KEY) problems.push('CASHFREE_APP_ID and CASHFREE_SECRET_KEY go together: set both, or neither');
    else cashfree = { appId: e.CASHFREE_APP_ID, secretKey: e.CASHFREE_SECRET_KEY, apiBase: e.CASHFREE_API_BASE, sdkUrl: e.CASHFREE_SDK_URL };
  }
  let phonepe: Config['phonepe'];
  const phonepeVars = [e.PHONEPE_CLIENT_ID, e.PHONEPE_CLIENT_SECRET, e.PHONEPE_WEBHOOK_USERNAME, e.PHONEPE_WEBHOOK_PASSWORD];
  if (phonepeVars.some(Boolean)) {
    if (!phonepeVars.every(Boolean)) problems.push('PHONEPE_CLIENT_ID, PHONEPE_CLIENT_SECRET, PHONEPE_WEBHOOK_USERNAME and PHONEPE_WEBHOOK_PASSWORD go together: set all four, or none');
    else
      phonepe = {
        clientId: e.PHONEPE_CLIENT_ID!,
        clientSecret: e.PHONEPE_CLIENT_SECRET!,
        clientVersion: e.PHONEPE_CLIENT_VERSION,
        apiBase: e.PHONEPE_API_BASE,
        webhookUsername: e.PHONEPE_WEBHOOK_USERNAME!,
        webhookPassword: e.PHONEPE_WEBHOOK_PASSWORD!,
      };
  }
  let payments: Config['payments'] = { gateway: 'simulated' };
  if (e.RAZORPAY_KEY_ID || e.RAZORPAY_KEY_SECRET) {
    if (!e.RAZORPAY_KEY_ID || !e.RAZORPAY_KEY_SECRET) problems.push('RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET go together: set both, or neither for the simulated gateway');
    else payments = { gateway: 'razorpay', keyId: e.RAZORPAY_KEY_ID, keySecret: e.RAZORPAY_KEY_SECRET, apiBase: e.RAZORPAY_API_BASE, ...(e.RAZORPAY_CHECKOUT_URL ? { checkoutJs: e.RAZORPAY_CHECKOUT_URL } : {}) };
  } else if (production && !cashfree && !phonepe && !(e.CASHFREE_APP_ID || e.CASHFREE_SECRET_KEY || phonepeVars.some(Boolean))) {
    // The simulated gateway confirms orders with no money moving: it must never take real guests.
    problems.push('RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET are required in production, or Cashfree or PhonePe (the simulated gateway is for local use and tests only)');
  }
  if (production && e.WHATSAPP_TOKEN && !e.WHATSAPP_APP_SECRET) problems.push('WHATSAPP_APP_SECRET is required in production when WHATSAPP_TOKEN is set (the webhook must check signatures)');
  if (Boolean(e.WHATSAPP_TOKEN) !== Boolean(e.WHATSAPP_PHONE_NUMBER_ID)) problems.push('WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID go together: set both, or neither');
  // Node refuses a header timeout longer than the whole request's.
  const headersMs = e.HTTP_HEADERS_TIMEOUT_MS ?? DEFAULT_LIMITS.httpHeadersTimeoutMs;
  const requestMs = e.HTTP_REQUEST_TIMEOUT_MS ?? DEFAULT_LIMITS.httpRequestTimeoutMs;
  if (headersMs > requestMs) problems.push(`HTTP_HEADERS_TIMEOUT_MS (${headersMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${requestMs})`);
  if (problems.length > 0) throw new ConfigError(problems);
  if (corrupt) {
    // Never silently: the old file is kept for the operator, and what was regenerated is named.
    const aside = keepCorruptKeysFile(keysFile);
    warnings.push(`kept it as ${aside} and wrote a new ${keysFile} from its valid lines${generated.length ? `; regenerated ${generated.join(', ')}: integrations using the old values must be given the new ones` : ''}`);
    writeKeysFile(keysFile, fileValues);
  } else if (generated.length > 0) writeKeysFile(keysFile, fileValues);

  const limits: Limits = { ...DEFAULT_LIMITS };
  if (e.AUTH_FAIL_LIMIT !== undefined) limits.authFailLimit = e.AUTH_FAIL_LIMIT;
  if (e.HEARTBEAT_INTERVAL_MS !== undefined) limits.heartbeatIntervalMs = e.HEARTBEAT_INTERVAL_MS;
  if (e.MAX_BUFFERED_BYTES !== undefined) limits.maxBufferedBytes = e.MAX_BUFFERED_BYTES;
  if (e.SHUTDOWN_GRACE_MS !== undefined) limits.shutdownGraceMs = e.SHUTDOWN_GRACE_MS;
  if (e.RETENTION_EVENTS !== undefined) limits.retentionEvents = e.RETENTION_EVENTS;
  if (e.RETENTION_HOURS !== undefined) limits.retentionMs = e.RETENTION_HOURS * 60 * 60 * 1000;
  if (e.IDEMPOTENCY_RETENTION_HOURS !== undefined) limits.idempotencyRetentionMs = e.IDEMPOTENCY_RETENTION_HOURS * 60 * 60 * 1000;
  if (e.WEBHOOK_RETENTION_HOURS !== undefined) limits.webhookRetentionMs = e.WEBHOOK_RETENTION_HOURS * 60 * 60 * 1000;
  if (e.HOUSEKEEPING_INTERVAL_SECONDS !== undefined) limits.housekeepingIntervalMs = e.HOUSEKEEPING_INTERVAL_SECONDS * 1000;
  if (e.PRESENCE_TTL_SECONDS !== undefined) limits.presenceTtlMs = e.PRESENCE_TTL_SECONDS * 1000;
  for (const [name, key] of Object.entries(GUEST_LIMIT_VARS)) {
    const value = e[name as keyof typeof GUEST_LIMIT_VARS];
    if (value !== undefined) limits[key] = value;
  }
  if (e.HTTP_HEADERS_TIMEOUT_MS !== undefined) limits.httpHeadersTimeoutMs = e.HTTP_HEADERS_TIMEOUT_MS;
  if (e.HTTP_REQUEST_TIMEOUT_MS !== undefined) limits.httpRequestTimeoutMs = e.HTTP_REQUEST_TIMEOUT_MS;
  if (e.MAX_SOCKETS_PER_ORDER !== undefined) limits.maxSocketsPerOrder = e.MAX_SOCKETS_PER_ORDER;
  if (e.MAX_SOCKETS_PER_THEATRE !== undefined) limits.maxSocketsPerTheatre = e.MAX_SOCKETS_PER_THEATRE;
  if (e.MAX_TICKET_SOCKETS_PER_ADDRESS !== undefined) limits.maxTicketSocketsPerAddress = e.MAX_TICKET_SOCKETS_PER_ADDRESS;

  return {
    production,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    keysFile,
    allowedOrigins,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    databaseUrl: e.DATABASE_URL || undefined,
    databaseSchema: e.DATABASE_SCHEMA,
    redisUrl: e.REDIS_URL || undefined,
    redisPrefix: e.REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    limits,
    keys,
    secrets,
    payments,
    cashfree,
    phonepe,
    paymentChecks: {
      afterMs: e.PAYMENT_STATUS_CHECK_AFTER_SECONDS * 1000,
      maxIntervalMs: e.PAYMENT_STATUS_CHECK_MAX_INTERVAL_SECONDS * 1000,
      giveUpMs: e.PAYMENT_STATUS_CHECK_GIVE_UP_HOURS * 60 * 60 * 1000,
    },
    generated,
    warnings,
    whatsapp: whatsappConfig(e),
  };
}

/**
 * A data folder or keys file that cannot be used, as one sentence per problem saying what to do,
 * so the start fails with that instead of a stack trace from deep inside fs or SQLite.
 */
function pathProblems(data: { dataDir: string; holds: string } | null, keysFile: string): string[] {
  const problems: string[] = [];
  if (data) {
    const { dataDir, holds } = data;
    const existing = nearestExisting(dataDir);
    if (!statSync(existing).isDirectory()) {
      problems.push(`DATA_DIR ${dataDir} is ${existing === dataDir ? 'a file' : `under ${existing}, a file`}, not a folder: remove it or set DATA_DIR to a folder (it holds the ${holds})`);
    } else {
      const notWritable = unwritableFolder(dataDir);
      if (notWritable) problems.push(`DATA_DIR ${dataDir} cannot be written (${notWritable} is not writable by this user): fix its owner or permissions, or set DATA_DIR elsewhere`);
    }
  }
  const keysProblem = keysFileUnusable(keysFile);
  if (keysProblem) problems.push(keysProblem);
  else if (existsSync(keysFile)) {
    try {
      accessSync(keysFile, constants.R_OK);
    } catch {
      problems.push(`the keys file ${keysFile} cannot be read by this user: fix its owner or permissions (it should be mode 0600)`);
    }
  }
  return problems;
}

function nearestExisting(path: string): string {
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

/** The folder, or its nearest existing ancestor (it will be created), when that is not writable. */
function unwritableFolder(dir: string): string | null {
  const at = nearestExisting(dir);
  try {
    accessSync(at, constants.W_OK | constants.X_OK);
    return null;
  } catch {
    return at;
  }
}

/** Re-reads only the socket keys (SIGHUP or a change of the keys file); same precedence as at start. */
export function reloadSocketKeys(keysFile: string, env: NodeJS.ProcessEnv = process.env): SocketKeys {
  const fileValues = readKeysFile(keysFile);
  const keys = {} as SocketKeys;
  for (const socket of SOCKET_NAMES) {
    const name = SOCKET_KEY_VARS[socket];
    keys[socket] = splitKeyList(fileValues[name] ?? env[name]);
  }
  return keys;
}
