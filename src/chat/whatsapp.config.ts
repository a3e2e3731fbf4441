import type { TemplateKind } from './chat.table.js';

/** Every default of the WhatsApp integration, named once; the configuration overrides them from the environment. */
export const WHATSAPP_DEFAULTS = {
  apiBase: 'https://graph.facebook.com/v21.0',
  templates: { order_confirmed: 'order_confirmed', order_refunded: 'order_refunded', unseen_order: 'unseen_order_alert', refund_code: 'refund_code', refund_request: 'refund_request_outcome' },
  /** The language every template is registered in. */
  templateLanguage: 'en',
  /** A confirmed order not marked seen within this many seconds raises order.unseen (theatres may override). */
  unseenAlertSeconds: 120,
  /** How often each process looks for unseen orders. */
  unseenCheckMs: 5_000,
  /** Attempts per outgoing message, and the backoff between them (doubling, capped). */
  maxAttempts: 4,
  retryBaseMs: 500,
  retryMaxMs: 4_000,
  /** One request to the Graph API never takes longer than this. */
  requestTimeoutMs: 10_000,
  /** Safety-net poll of the outbound queue (writers also kick the sender after they commit). */
  senderPollMs: 1_000,
  /** Messages sent at once by one process. */
  senderBatch: 20,
  /**
   * Automatic messages (order confirmed or refunded) a number that has neither paid nor written to
   * us gets per window; the rest are not sent. Anyone may place a cash order with any number, so
   * without a cap the service could be made to message arbitrary numbers at volume. A few, so a
   * real guest paying cash still hears about an order or two.
   */
  unknownPhoneCap: 3,
  unknownPhoneWindowMs: 24 * 60 * 60 * 1000,
} as const;

export interface WhatsAppConfig {
  apiBase: string;
  /** Automatic messages a day to a number that has neither paid nor written (WHATSAPP_UNKNOWN_PHONE_CAP). */
  unknownPhoneCap: number;
  /** Absent: outgoing messages are stored and marked failed ("WhatsApp is not configured"). */
  token: string | undefined;
  phoneNumberId: string | undefined;
  /** Absent: the webhook answers 503; it never accepts an unsigned body. */
  appSecret: string | undefined;
  verifyToken: string | undefined;
  templates: Record<TemplateKind, string>;
  templateLanguage: string;
  unseenAlertSeconds: number;
  unseenCheckMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
  senderPollMs: number;
}
