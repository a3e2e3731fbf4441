import { sql } from 'kysely';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccountService } from './accounts/account.service.js';
import { SessionAuth } from './accounts/session.http.js';
import { createChat } from './chat/chat.module.js';
import { createDatabase, type Db } from './db/database.js';
import { createEngines } from './engines.js';
import { ChatRepository } from './chat/chat.repository.js';
import { LiveOrders } from './orders/live-orders.js';
import { OrderService } from './orders/order.service.js';
import { orderExists } from './orders/order-exists.js';
import { CheckoutLinks } from './payments/checkout-links.js';
import { createPaymentGateway } from './payments/gateway.factory.js';
import { PaymentService } from './payments/payment.service.js';
import { PresenceService } from './presence/presence.service.js';
import { EventRepository } from './streams/event.repository.js';
import { OutboxRelay } from './streams/outbox-relay.js';
import { RetentionPruner } from './streams/retention-pruner.js';
import { Housekeeping } from './jobs/housekeeping.js';
import { housekeepingTasks } from './jobs/housekeeping-tasks.js';
import { StreamService } from './streams/stream.service.js';
import { SeatService } from './theatres/seat.service.js';
import { StaffService } from './accounts/staff.service.js';
import { auditLog } from './observability/audit.js';
import { OrderHistoryRepository } from './orders/history.repository.js';
import { MenuService } from './theatres/menu.service.js';
import { TheatreRepository } from './theatres/theatre.repository.js';
import { VenueService } from './theatres/venue.service.js';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildHttp } from './http/http-server.js';
import type { DestinationStream } from 'pino';
import type { Config } from './config/config.js';
import { WriteHealth } from './health/write-health.js';
import { compileTrust } from './http/trust-proxy.js';
import { GuestLimits } from './http/rate-limits.js';
import { KeyReloader } from './keys/key-reloader.js';
import { KeyStore } from './keys/key-store.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { Gateway } from './realtime/gateway.js';
import { encodeRevocation } from './realtime/revocation.js';
import { TicketService } from './tickets/ticket.service.js';

export interface AppOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: DestinationStream;
  /** Injected clock, epoch ms. */
  now?: () => number;
  /** The built web app; `dist/public` of this package by default (from src/ and dist/ alike). */
  webDir?: string;
  /** Extra routes registered before the app is sealed (embedding: the benchmark target). */
  routes?: (fastify: FastifyInstance) => void;
}

export interface App {
  fastify: FastifyInstance;
  server: Server;
  gateway: Gateway;
  keys: KeyStore;
  tickets: TicketService;
  logger: Logger;
  db: Db;
  /** Publishes committed events now (tests, and writers outside HTTP). */
  relay: OutboxRelay;
  /** Prunes idempotency keys, expired sessions, webhook ids and spent tickets (`run()` does a round now). */
  housekeeping: Housekeeping;
  /** Re-reads the keys file now (what SIGHUP does). */
  reloadKeys(why: string): void;
  listen(): Promise<AddressInfo>;
  /** Closes every socket with 1001, then the HTTP server and every backend. */
  close(): Promise<void>;
}

/**
 * The composition root: the one place that reads the configuration and chooses the engines
 * (SQLite or PostgreSQL, memory or Redis), handing each part only the slice it needs.
 */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const now = options.now ?? Date.now;
  const logger = createLogger(config.logLevel, options.logStream);
  const metrics = new Metrics();
  const keys = new KeyStore(config.keys);
  const engines = await createEngines(config, { now, processId: randomUUID(), onError: (err) => logger.warn({ err }, 'redis connection error') });
  const { bus } = engines;
  const tickets = new TicketService(config.secrets.TICKET_SECRET, config.limits.ticketTtlSeconds, engines.spentTickets, now);

  const clock = () => new Date(now());
  const database = await createDatabase({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, sqliteFile: join(config.dataDir, 'scan2food.db') });
  const { db } = database;
  const events = new EventRepository(db, clock);
  const relay = new OutboxRelay(events, bus, logger, { pollMs: config.limits.outboxPollMs, batch: config.limits.outboxBatch });
  const chat = createChat({ db, clock, logger, whatsapp: config.whatsapp, kickRelay: () => void relay.kick() });
  const committed = chat.committed;
  const presence = new PresenceService({
    store: engines.presence,
    db,
    now: clock,
    written: committed,
    onError: (err) => logger.error({ err }, 'presence not shared or its event not recorded'),
    heartbeatMs: Math.floor(config.limits.presenceTtlMs / 3),
  });
  const pruner = new RetentionPruner(events, { keepPerStream: config.limits.retentionEvents, maxAgeMs: config.limits.retentionMs }, config.limits.pruneIntervalMs, (err) =>
    logger.error({ err }, 'pruning stream history failed'),
  );
  const housekeeping = new Housekeeping(
    housekeepingTasks({ db, clock, retention: config.limits, spentTickets: engines.spentTickets }),
    metrics,
    { intervalMs: config.limits.housekeepingIntervalMs, onError: (err) => logger.error({ err }, 'housekeeping failed') },
  );
  const newToken = () => randomBytes(32).toString('base64url');
  const accounts = new AccountService({ db, clock, newToken });
  const checkoutLinks = new CheckoutLinks(config.secrets.PAYMENT_WEBHOOK_SECRET);
  const payments = new PaymentService({
    db,
    clock,
    newId: () => randomUUID(),
    gateway: createPaymentGateway(config.payments, checkoutLinks),
    webhookSecret: config.secrets.PAYMENT_WEBHOOK_SECRET,
    alert: (message, fields) => logger.warn({ alert: true, ...fields }, message),
    onError: (err) => logger.error({ err }, 'refund worker round failed'),
  });
  const guestLimits = new GuestLimits(engines.rateLimiter, config.limits);
  const orders = new OrderService({
    db,
    clock,
    newToken,
    newId: () => randomUUID(),
    refunds: payments,
    unseenAlertSeconds: config.whatsapp.unseenAlertSeconds,
    maxOrderTotalPaise: config.limits.maxOrderTotalPaise,
    openCashLimits: config.limits,
    admitOrder: (phone, address) => guestLimits.admitOrder(phone, address),
  });
  const seats = new SeatService({ db });
  const liveOrders = new LiveOrders({ db, clock });
  const streams = new StreamService(db, database.dialect, {
    liveOrders: (trx, theatreId) => liveOrders.list(theatreId, trx),
    payment: (trx, orderId) => payments.paymentStatus(orderId, trx).catch(() => null),
    presence: () => presence.snapshot(),
    conversations: (trx, theatreId) => new ChatRepository(trx).conversations(theatreId, trx),
  });
  const sessions = new SessionAuth(accounts, config.allowedOrigins, config.production ? true : 'auto');

  const trustProxy = compileTrust(config.trustProxy);
  const writeHealth = new WriteHealth(db, database.dialect, now);
  // Ending sessions (logout, password change, account deleted) closes what they opened: on this
  // process at once, on the others through the bus; a process that misses the message finds the
  // ended sessions in the database (Gateway.recheckSessions).
  const revokeSessions = async (sessionIds: string[]): Promise<void> => {
    if (sessionIds.length === 0) return;
    sockets.closeSessions(sessionIds);
    await bus.publishControl(encodeRevocation(sessionIds)).catch((err: unknown) => logger.error({ err }, 'revocation not sent to other processes; they find it at their next session check'));
  };
  const audit = auditLog(logger);

  // ---- HTTP (src/http/http-server.ts) ----
  let draining = false;
  const fastify = await buildHttp(
    {
      accounts,
      sessions,
      authFailures: engines.authFailures,
      revokeSessions,
      tickets,
      seats,
      orders,
      payments,
      guestLimits,
      checkoutLinks,
      checkoutGateway: config.payments.gateway === 'razorpay' ? { name: 'razorpay', keyId: config.payments.keyId } : { name: 'simulated' },
      chat,
      venue: new VenueService({ db, clock, audit }),
      menu: new MenuService({ db, audit }),
      staff: new StaffService({ db, clock, audit, revokeSessions }),
      history: new OrderHistoryRepository(db),
      theatres: new TheatreRepository(db),
    },
    {
      logger,
      metrics,
      trustProxy,
      limits: config.limits,
      readiness: [{ name: 'database', check: async () => (await sql`select 1 as ok`.execute(db), true) }, writeHealth, ...engines.checks],
      draining: () => draining,
      onUnhandled: (err) => writeHealth.record(err),
      afterWrite: () => void relay.kick(),
      webDir: options.webDir ?? fileURLToPath(new URL('../dist/public/', import.meta.url)),
      ...(options.routes ? { routes: options.routes } : {}),
    },
  );
  // Shutdown runs the onClose hooks last-registered first: what is registered here closes last.
  fastify.addHook('onClose', () => database.close());
  fastify.addHook('onClose', () => engines.close());
  // ---- end of HTTP ----

  const sockets = new Gateway({
    auth: {
      keys,
      tickets,
      failures: engines.authFailures,
      allowedOrigins: config.allowedOrigins,
      orderExists: (id) => orderExists(db, id),
      liveSessions: (ids) => accounts.liveSessions(ids),
    },
    keys,
    limits: config.limits,
    trustProxy,
    logger,
    metrics,
    streams,
    bus,
    handlers: { chat: chat.socketHandlers },
    hooks: presence,
    caps: engines.connectionCaps,
  });
  fastify.server.on('upgrade', (req, socket, head) => sockets.handleUpgrade(req, socket, head));

  const reloader = new KeyReloader(config.keysFile, keys, logger);
  reloader.start();
  // Before the server stops: no key reload mid-shutdown, and every socket told 1001 while the
  // bus and database still answer its last reads.
  fastify.addHook('preClose', async () => reloader.stop());
  fastify.addHook('preClose', () => sockets.shutdown(config.limits.shutdownGraceMs));
  relay.start();
  fastify.addHook('onClose', () => relay.stop());
  housekeeping.start();
  fastify.addHook('onClose', () => housekeeping.stop());
  payments.refunds.job.start();
  fastify.addHook('onClose', () => payments.refunds.job.stop());
  pruner.start();
  fastify.addHook('onClose', () => pruner.stop());
  presence.start();
  fastify.addHook('onClose', () => presence.stop());
  chat.start(() => orders.emitUnseenAlerts());
  fastify.addHook('onClose', () => chat.stop());
  await fastify.ready();

  let closed = false;
  return {
    fastify,
    server: fastify.server,
    gateway: sockets,
    keys,
    tickets,
    logger,
    db: database,
    relay,
    housekeeping,
    reloadKeys: (why) => reloader.reload(why),
    async listen() {
      await fastify.listen({ host: config.host, port: config.port });
      return fastify.server.address() as AddressInfo;
    },
    async close() {
      if (closed) return;
      closed = true;
      draining = true;
      // preClose and onClose hooks, declared beside what they stop, run in their order.
      await fastify.close();
    },
  };
}
