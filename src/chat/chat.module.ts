import type { FastifyInstance } from 'fastify';
import type { Logger } from '../observability/logger.js';
import type { Executor } from '../streams/event.repository.js';
import { chatRoutes } from './chat.routes.js';
import { ChatService } from './chat.service.js';
import { chatSocketHandlers } from './chat.socket.js';
import { OutboundSender } from './outbound-sender.js';
import { UnseenEscalator } from './unseen-escalator.js';
import { GraphWhatsAppApi, UnconfiguredWhatsAppApi, type WhatsAppApi } from './whatsapp.client.js';
import type { WhatsAppConfig } from './whatsapp.config.js';
import { WHATSAPP_DEFAULTS } from './whatsapp.config.js';
import { whatsappRoutes } from './whatsapp.routes.js';

export interface ChatModuleDeps {
  db: Executor;
  clock: () => Date;
  logger: Logger;
  whatsapp: WhatsAppConfig;
  /** Publishes committed events now (the outbox relay's kick). */
  kickRelay: () => void;
  /** Replaces the Graph API client (tests). */
  api?: WhatsAppApi;
}

/** The lease on a message being sent outlives the request's timeout, so nobody else takes it meanwhile. */
const LEASE_MARGIN_MS = 5_000;

/** Chat wired together: the service, the WhatsApp sender and the unseen-order escalation. */
export function createChat(deps: ChatModuleDeps) {
  const wa = deps.whatsapp;
  const service = new ChatService({ db: deps.db, clock: deps.clock });
  const api = deps.api ?? (wa.token && wa.phoneNumberId
    ? new GraphWhatsAppApi({ apiBase: wa.apiBase, token: wa.token, phoneNumberId: wa.phoneNumberId, timeoutMs: wa.requestTimeoutMs })
    : new UnconfiguredWhatsAppApi());
  const sender = new OutboundSender(
    { db: deps.db, api, clock: deps.clock, logger: deps.logger, committed: deps.kickRelay },
    {
      maxAttempts: wa.maxAttempts,
      retryBaseMs: wa.retryBaseMs,
      retryMaxMs: wa.retryMaxMs,
      leaseMs: wa.requestTimeoutMs + LEASE_MARGIN_MS,
      pollMs: wa.senderPollMs,
      batch: WHATSAPP_DEFAULTS.senderBatch,
      templates: wa.templates,
      templateLanguage: wa.templateLanguage,
    },
  );
  /** After anything that may have queued a message: publish its events and send it. */
  const committed = () => {
    deps.kickRelay();
    void sender.kick();
  };
  let escalator: UnseenEscalator | null = null;

  return {
    service,
    sender,
    committed,
    socketHandlers: chatSocketHandlers(service, committed),
    routes(app: FastifyInstance): void {
      chatRoutes(app, { chat: service, sendQueued: () => void sender.kick() });
      whatsappRoutes(app, { chat: service, appSecret: wa.appSecret, verifyToken: wa.verifyToken });
    },
    start(emitUnseenAlerts: () => Promise<unknown[]>): void {
      sender.start();
      escalator = new UnseenEscalator({ emitUnseenAlerts, committed, logger: deps.logger, intervalMs: wa.unseenCheckMs });
      escalator.start();
    },
    async stop(): Promise<void> {
      await escalator?.stop();
      await sender.stop();
    },
  };
}

export type ChatModule = ReturnType<typeof createChat>;
