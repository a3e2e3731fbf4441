/**
 * Every limit and default the service applies, named once. The configuration merges
 * environment overrides over these and checks them at start; nothing else hard-codes a number.
 */
export const DEFAULT_LIMITS = {
  /** Refused credentials (401s only) allowed per client address per window before 429. */
  authFailLimit: 20,
  authFailWindowSeconds: 60,
  /** WebSocket ping interval; a peer that misses two pings is dropped. */
  heartbeatIntervalMs: 25_000,
  missedPingsBeforeDrop: 2,
  /** A frame above this closes the connection at once with 1009. */
  maxFrameBytes: 64 * 1024,
  /** Client messages per second per connection before `rate_limited` replies. */
  messagesPerSecond: 20,
  /** Bad-input replies within a minute after which the connection is closed with 1008. */
  badInputsBeforeClose: 5,
  badInputWindowMs: 60_000,
  /** Unsent bytes per connection before it is closed with 4008 (it may resume with `since`). */
  maxBufferedBytes: 1024 * 1024,
  /** How long an event that arrived ahead of a missing one waits before the missing ones are read from history. */
  gapFillDelayMs: 100,
  /** Ticket lifetime ceiling (SPEC §2: at most 60 s). */
  ticketTtlSeconds: 60,
  /** How long SIGTERM waits for clients to go before exiting anyway. */
  shutdownGraceMs: 5_000,
  /** Outbox safety-net poll (writers also kick the relay right after they commit). */
  outboxPollMs: 1_000,
  outboxBatch: 500,
  /** Stream history kept for resume: the newest N events of each stream, and nothing older than retentionMs. */
  retentionEvents: 1_000,
  retentionMs: 24 * 60 * 60 * 1000,
  /** How often each process prunes history beyond retention (several processes pruning is harmless). */
  pruneIntervalMs: 60_000,
  /** Idempotency answers of order creation are kept this long (a retry after it is a new order). */
  idempotencyRetentionMs: 24 * 60 * 60 * 1000,
  /** Payment webhook ids are kept this long: Razorpay retries for 24 h, a late retry must still be a duplicate. */
  webhookRetentionMs: 7 * 24 * 60 * 60 * 1000,
  /** How often each process prunes idempotency keys, expired sessions, webhook ids and spent tickets. */
  housekeepingIntervalMs: 10 * 60 * 1000,
  /**
   * Shared presence (Redis): a process's heartbeat key lives this long and is refreshed every third
   * of it; a survivor sweeps for expired processes as often. A dead process's theatres go offline
   * within ttl + ttl/3 (20 s by default; SPEC asks for at most 30 s).
   */
  presenceTtlMs: 15_000,
  /*
   * Anonymous ordering (issue 10). Guests of one cinema often share its Wi-Fi's one public address,
   * so the per-address limits let a full house (300+ orders in a few minutes) through; the
   * per-phone and per-order limits are the ones that stop a single abuser.
   */
  ordersPerPhone: 10,
  ordersPerPhoneWindowSeconds: 600,
  ordersPerAddress: 600,
  ordersPerAddressWindowSeconds: 300,
  /** Payment starts of one order (a handful: retries after a failed or abandoned checkout). */
  paymentStartsPerOrder: 5,
  paymentStartsPerOrderWindowSeconds: 600,
  paymentStartsPerAddress: 600,
  paymentStartsPerAddressWindowSeconds: 300,
  /**
   * Open (confirmed, not yet served) cash orders one phone, or one client address, may hold at a
   * theatre, so a few invented cash orders cannot fill its `orderLimit`. Counted in the database
   * under the theatre's lock, so it holds under races and across processes.
   */
  openCashOrdersPerPhone: 3,
  openCashOrdersPerAddress: 30,
  /** The most one order may come to, in paise (Rs 5,00,000); at most Number.MAX_SAFE_INTEGER. */
  maxOrderTotalPaise: 50_000_000,
  /**
   * Slow clients: a request whose headers have not all arrived after httpHeadersTimeoutMs, or whose
   * body has not arrived after httpRequestTimeoutMs, is answered 408 and its connection closed, so
   * trickled requests cannot hold connections open (Fastify's default is no limit at all).
   */
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 30_000,
  /**
   * Open sockets a process accepts, refused at the upgrade with 429 beyond: per order (its guest
   * page, perhaps in two tabs, and a key-holding integration: a handful); per theatre (its staff
   * devices on the live-orders and chat sockets); and per client address for ticket sockets only,
   * with a default no cinema reaches even when every guest of a full house shares its Wi-Fi's one
   * public address. Key holders (server integrations) are never capped per address.
   */
  maxSocketsPerOrder: 5,
  maxSocketsPerTheatre: 200,
  maxTicketSocketsPerAddress: 5_000,
  /**
   * Sockets of an ended session close within a second through the bus; this is the safety net
   * for a revocation message a process missed: every so often it asks the database which of its
   * sockets' sessions have ended.
   */
  sessionRecheckMs: 30_000,
} as const;

export type Limits = { -readonly [K in keyof typeof DEFAULT_LIMITS]: number };

/** The shortest key accepted in production: 32 random bytes in base64url without padding. */
export const MIN_KEY_LENGTH = 43;
