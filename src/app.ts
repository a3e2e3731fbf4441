import fastifyCookie from '@fastify/cookie';
import { sql } from 'kysely';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccountService } from './accounts/account.service.js';
import { authRoutes } from './accounts/auth.routes.js';
import { SessionAuth } from './accounts/session.http.js';
import { createChat } from './chat/chat.module.js';
import { createDatabase, type Db } from './db/database.js';
import { createEngines } from './engines.js';
import { orderRoutes } from './orders/order.routes.js';
import { ChatRepository } from './chat/chat.repository.js';
import { LiveOrders } from './orders/live-orders.js';
import { OrderService } from './orders/order.service.js';
import { orderExists } from './orders/order-exists.js';
import { CheckoutLinks } from './payments/checkout-links.js';
import { checkoutRoutes } from './payments/checkout.routes.js';
import { paymentRoutes } from './payments/payment.routes.js';
import { createPaymentGateway } from './payments/gateway.factory.js';
import { PaymentService } from './payments/payment.service.js';
import { PresenceService } from './presence/presence.service.js';
import { EventRepository } from './streams/event.repository.js';
import { OutboxRelay } from './streams/outbox-relay.js';
import { RetentionPruner } from './streams/retention-pruner.js';
import { Housekeeping } from './jobs/housekeeping.js';
import { housekeepingTasks } from './jobs/housekeeping-tasks.js';
import { StreamService } from './streams/stream.service.js';
import { seatRoutes } from './theatres/seat.routes.js';
import { SeatService } from './theatres/seat.service.js';
import { ticketRoutes } from './tickets/ticket.routes.js';
import { webRoutes } from './web/web.routes.js';
import { staffRoutes } from './accounts/staff.routes.js';
import { StaffService } from './accounts/staff.service.js';
import { auditLog } from './observability/audit.js';
import { OrderHistoryRepository } from './orders/history.repository.js';
import { historyRoutes } from './orders/history.routes.js';
import { manageRoutes } from './theatres/manage.routes.js';
import { menuRoutes } from './theatres/menu.routes.js';
import { MenuService } from './theatres/menu.service.js';
import { TheatreRepository } from './theatres/theatre.repository.js';
import { VenueService } from './theatres/venue.service.js';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config/config.js';
import { healthRoutes } from './health/health.routes.js';
import { WriteHealth } from './health/write-health.js';
import { compileTrust } from './http/trust-proxy.js';
import { installErrorHandler } from './http/error-handler.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { GuestLimits } from './http/rate-limits.js';
import { closeSilentConnections } from './http/silent-connections.js';
import { KeyReloader } from './keys/key-reloader.js';
import { KeyStore } from './keys/key-store.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { asyncApiRoutes } from './asyncapi/asyncapi.routes.js';
import { createRealtime } from './realtime/realtime.module.js';
import type { StreamNode } from './realtime/stream-node.js';
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
  /** This process's WebSocket clients and the streams they follow (realtime/stream-node.ts). */
  streamNode: StreamNode;
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
  const { httpHeadersTimeoutMs, httpRequestTimeoutMs } = config.limits;
  const fastify = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy,
    bodyLimit: 256 * 1024,
    // Trickled headers or bodies are answered 408 and closed (Node checks at the interval, so it
    // is kept a fraction of the shortest timeout); closeSilentConnections below covers a
    // connection that never sends a byte.
    requestTimeout: httpRequestTimeoutMs,
    http: { headersTimeout: httpHeadersTimeoutMs, requestTimeout: httpRequestTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(httpHeadersTimeoutMs / 4))) },
  });
  closeSilentConnections(fastify.server, httpHeadersTimeoutMs);
  const writeHealth = new WriteHealth(db, database.dialect, now);
  installSecurityHeaders(fastify);
  installErrorHandler(fastify, { onUnhandled: (err) => writeHealth.record(err) });
  await fastify.register(fastifyCookie);
  let draining = false;
  healthRoutes(fastify, {
    metrics,
    checks: [{ name: 'database', check: async () => (await sql`select 1 as ok`.execute(db), true) }, writeHealth, ...engines.checks],
    draining: () => draining,
  });
  // Ending sessions (logout, password change, account deleted) closes what they opened: on this
  // process at once, on the others through the bus; a process that misses the message finds the
  // ended sessions in the database (StreamNode.recheckSessions).
  const revokeSessions = async (sessionIds: string[]): Promise<void> => {
    if (sessionIds.length === 0) return;
    realtime.node.closeSessions(sessionIds);
    await bus.publishControl(encodeRevocation(sessionIds)).catch((err: unknown) => logger.error({ err }, 'revocation not sent to other processes; they find it at their next session check'));
  };
  authRoutes(fastify, { accounts, sessions, failures: engines.authFailures, revokeSessions });
  ticketRoutes(fastify, { tickets, sessions, orders });
  seatRoutes(fastify, { seats });
  orderRoutes(fastify, { orders, sessions, committed });
  // A webhook may have queued an automatic refund (a capture the order did not take): send it now.
  paymentRoutes(fastify, { payments, orders, committed: () => (committed(), void payments.refunds.job.kick()), limits: guestLimits });
  options.routes?.(fastify);
  checkoutRoutes(fastify, {
    payments,
    links: checkoutLinks,
    gateway: config.payments.gateway === 'razorpay' ? { name: 'razorpay', keyId: config.payments.keyId } : { name: 'simulated' },
  });
  chat.routes(fastify, sessions);

  // Management API for staff and admins (docs/api.md).
  const audit = auditLog(logger);
  manageRoutes(fastify, { venue: new VenueService({ db, clock, audit }), sessions });
  menuRoutes(fastify, { menu: new MenuService({ db, audit }), sessions });
  staffRoutes(fastify, { staff: new StaffService({ db, clock, audit, revokeSessions }), sessions });
  historyRoutes(fastify, { history: new OrderHistoryRepository(db), theatres: new TheatreRepository(db), sessions });
  await webRoutes(fastify, { dir: options.webDir ?? fileURLToPath(new URL('../dist/public/', import.meta.url)) });

  // The sockets (realtime/): the stream node follows the bus and serves its clients; its
  // acceptor turns the server's upgrade requests into them.
  const realtime = createRealtime({
    server: fastify.server,
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
  // What the sockets send and understand, for integrators: AsyncAPI at /api/asyncapi.json.
  asyncApiRoutes(fastify);

  const reloader = new KeyReloader(config.keysFile, keys, logger);
  reloader.start();
  relay.start();
  chat.start(() => orders.emitUnseenAlerts());
  presence.start();
  pruner.start();
  payments.refunds.job.start();
  housekeeping.start();
  await fastify.ready();

  let closed = false;
  return {
    fastify,
    server: fastify.server,
    streamNode: realtime.node,
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
      reloader.stop();
      await realtime.close(config.limits.shutdownGraceMs);
      await fastify.close();
      await chat.stop();
      await presence.stop();
      await pruner.stop();
      await payments.refunds.job.stop();
      await housekeeping.stop();
      await relay.stop();
      await engines.close();
      await database.close();
    },
  };
}
