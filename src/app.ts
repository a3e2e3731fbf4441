import { sql, type Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SessionAuth } from './accounts/session.http.js';
import { createDatabase, type Database } from './db/database.js';
import { createEngines } from './engines.js';
import { composeServices } from './services.js';
import { OutboxRelay } from './streams/outbox-relay.js';
import { rehearse, warmUp } from './health/warm-up.js';
import { Housekeeping } from './jobs/housekeeping.js';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildHttp } from './http/http-server.js';
import type { DestinationStream } from 'pino';
import type { Config } from './config/config.js';
import { WriteHealth } from './health/write-health.js';
import { compileTrust } from './http/trust-proxy.js';
import { KeyReloader } from './keys/key-reloader.js';
import { KeyStore } from './keys/key-store.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { asyncApiRoutes } from './asyncapi/asyncapi.routes.js';
import { createRealtime } from './realtime/realtime.module.js';
import type { StreamNode } from './realtime/stream-node.js';
import { encodeRevocation } from './realtime/revocation.js';
import { TicketService } from './tickets/ticket.service.js';
import type { GatewayRegistry } from './payments/gateway.factory.js';

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
  /** The database (tests and the demo seed read and write it directly). */
  db: Kysely<Database>;
  /** Publishes committed events now (tests, and writers outside HTTP). */
  relay: OutboxRelay;
  /** Prunes idempotency keys, expired sessions, webhook ids and spent tickets (`run()` does a round now). */
  housekeeping: Housekeeping;
  /** The payment gateways configured on this process (tests drive the simulated one's books). */
  gateways: GatewayRegistry;
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

  // Production migrates on purpose (`scan2food migrate`) and refuses a schema behind or ahead of the code.
  const database = await createDatabase({
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    sqliteFile: join(config.dataDir, 'scan2food.db'),
    migrations: config.production ? 'verify' : 'apply',
    checkpoints: { onError: (message) => logger.warn({ event: 'sqlite_checkpoint' }, message) },
  });
  const { db } = database;
  const services = composeServices({ config, engines, database, logger, metrics, now, revokeSessions: (ids) => revokeSessions(ids) });
  const { relay, housekeeping, chat, accounts, payments, checkoutLinks, guestLimits, orders, seats, streams } = services;
  const sessions = new SessionAuth(accounts, config.allowedOrigins, config.production ? true : 'auto');
  const trustProxy = compileTrust(config.trustProxy);
  const writeHealth = new WriteHealth(db, database.dialect, now);
  // Ending sessions (logout, password change, account deleted) closes what they opened: on this
  // process at once, on the others through the bus; a process that misses the message finds the
  // ended sessions in the database (StreamNode.recheckSessions).
  const revokeSessions = async (sessionIds: string[]): Promise<void> => {
    if (sessionIds.length === 0) return;
    realtime.node.closeSessions(sessionIds);
    await bus.publishControl(encodeRevocation(sessionIds)).catch((err: unknown) => logger.error({ err }, 'revocation not sent to other processes; they find it at their next session check'));
  };

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
      checkoutGateway: services.gateways,
      chat,
      venue: services.venue,
      menu: services.menu,
      menuImages: services.menuImages,
      menuPhotos: services.menuPhotos,
      staff: services.staff,
      history: services.history,
      theatres: services.theatres,
      refunds: services.refunds,
      refundRequests: services.refundRequests,
      orderRecords: services.orderRecords,
      invoices: services.invoices,
      feedback: services.feedback,
      reports: services.reports,
    },
    {
      logger,
      metrics,
      trustProxy,
      limits: config.limits,
      readiness: [{ name: 'database', check: async () => (await sql`select 1 as ok`.execute(db), true) }, writeHealth, ...engines.checks],
      draining: () => draining,
      onUnhandled: (err) => writeHealth.record(err),
      webDir: options.webDir ?? fileURLToPath(new URL('../dist/public/', import.meta.url)),
      ...(options.routes ? { routes: options.routes } : {}),
    },
  );
  // Shutdown runs the onClose hooks last-registered first: what is registered here closes last.
  fastify.addHook('onClose', () => database.close());
  fastify.addHook('onClose', () => engines.close());
  // ---- end of HTTP ----

  // ---- sockets (realtime/): the stream node follows the bus and serves its clients; its
  // acceptor turns the server's upgrade requests into them.
  const realtime = createRealtime({
    server: fastify.server,
    auth: {
      keys,
      tickets,
      failures: engines.authFailures,
      allowedOrigins: config.allowedOrigins,
      orderExists: (id) => services.orderExists(id),
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
    hooks: services.presence,
    caps: engines.connectionCaps,
  });
  // What the sockets send and understand, for integrators: AsyncAPI at /api/asyncapi.json.
  asyncApiRoutes(fastify);
  // ---- end of sockets ----

  const reloader = new KeyReloader(config.keysFile, keys, logger);
  reloader.start();
  // Before the server stops: no key reload mid-shutdown, and every socket told 1001 while the
  // bus and database still answer its last reads.
  fastify.addHook('preClose', async () => reloader.stop());
  fastify.addHook('preClose', () => realtime.close(config.limits.shutdownGraceMs));
  services.start();
  fastify.addHook('onClose', () => services.stop());
  // Nothing is served before this: the first requests after a start find the database warm.
  await warmUp(db, database.dialect);
  await rehearse(services, database.dialect, logger);
  await fastify.ready();

  let closed = false;
  return {
    fastify,
    server: fastify.server,
    streamNode: realtime.node,
    keys,
    tickets,
    logger,
    db,
    relay,
    housekeeping,
    gateways: services.gateways,
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
