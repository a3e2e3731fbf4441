import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { MemoryBus } from './bus/memory-bus.js';
import type { EventBus } from './bus/event-bus.js';
import type { Config } from './config/config.js';
import { healthRoutes } from './health/health.routes.js';
import { compileTrust } from './http/trust-proxy.js';
import { installErrorHandler } from './http/error-handler.js';
import { KeyReloader } from './keys/key-reloader.js';
import { KeyStore } from './keys/key-store.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { Gateway } from './realtime/gateway.js';
import type { StreamSource } from './realtime/stream-source.js';
import { AuthFailureLimiter } from './realtime/upgrade/auth-failure-limiter.js';
import { MemorySingleUseStore } from './tickets/single-use-store.js';
import { TicketService } from './tickets/ticket.service.js';

export interface AppOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: DestinationStream;
  /** Injected clock, epoch ms. */
  now?: () => number;
}

export interface App {
  fastify: FastifyInstance;
  server: Server;
  gateway: Gateway;
  keys: KeyStore;
  tickets: TicketService;
  logger: Logger;
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
  const bus: EventBus = new MemoryBus();
  const tickets = new TicketService(config.secrets.TICKET_SECRET, config.limits.ticketTtlSeconds, new MemorySingleUseStore(now), now);
  const failures = AuthFailureLimiter.inMemory(config.limits.authFailLimit, config.limits.authFailWindowSeconds);

  // Until the streams feature lands every stream is empty; the gateway only needs this interface.
  const streams: StreamSource = { open: async () => ({ head: 0, kind: 'snapshot', snapshot: {}, reset: false }), eventsAfter: async () => [] };

  const trustProxy = compileTrust(config.trustProxy);
  const fastify = Fastify({ loggerInstance: logger as FastifyBaseLogger, trustProxy, bodyLimit: 256 * 1024 });
  installErrorHandler(fastify);
  let draining = false;
  healthRoutes(fastify, { metrics, checks: [], draining: () => draining });

  const gateway = new Gateway({
    auth: { keys, tickets, failures, allowedOrigins: config.allowedOrigins, orderExists: async () => false },
    keys,
    limits: config.limits,
    trustProxy,
    logger,
    metrics,
    streams,
    bus,
    handlers: {},
  });
  fastify.server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));

  const reloader = new KeyReloader(config.keysFile, keys, logger);
  reloader.start();
  await fastify.ready();

  let closed = false;
  return {
    fastify,
    server: fastify.server,
    gateway,
    keys,
    tickets,
    logger,
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
      await gateway.shutdown(config.limits.shutdownGraceMs);
      await fastify.close();
      await bus.close();
    },
  };
}
