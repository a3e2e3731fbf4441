import type { FastifyInstance } from 'fastify';
import type { Logger } from '../observability/logger.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { chatRoutes } from './chat.routes.js';
import { ChatService } from './chat.service.js';
import { chatSocketHandlers } from './chat.socket.js';
import { OutboundSender } from './outbound-sender.js';
import { GraphWhatsAppApi, UnconfiguredWhatsAppApi, type WhatsAppApi } from './whatsapp.client.js';
import type { WhatsAppConfig } from './whatsapp.config.js';
import { WHATSAPP_DEFAULTS } from './whatsapp.config.js';
import { whatsappRoutes } from './whatsapp.routes.js';

export interface ChatModuleDeps {
  uow: UnitOfWork;
  clock: () => Date;
  logger: Logger;
  whatsapp: WhatsAppConfig;
  /** Replaces the Graph API client (tests). */
  api?: WhatsAppApi;
}

/** The lease on a message being sent outlives the request's timeout, so nobody else takes it meanwhile. */
const LEASE_MARGIN_MS = 5_000;

/** Chat wired together: the service and the WhatsApp sender (the composition wakes it after commits that queued a message). */
export function createChat(deps: ChatModuleDeps) {
  const wa = deps.whatsapp;
  const service = new ChatService({ uow: deps.uow, clock: deps.clock });
  const api = deps.api ?? (wa.token && wa.phoneNumberId
    ? new GraphWhatsAppApi({ apiBase: wa.apiBase, token: wa.token, phoneNumberId: wa.phoneNumberId, timeoutMs: wa.requestTimeoutMs })
    : new UnconfiguredWhatsAppApi());
  const sender = new OutboundSender(
    { uow: deps.uow, api, clock: deps.clock, logger: deps.logger },
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
  return {
    service,
    sender,
    /** The Cloud API client itself, for messages that must not be stored (refund approval codes). */
    api,
    socketHandlers: chatSocketHandlers(service),
    routes(app: FastifyInstance): void {
      chatRoutes(app, { chat: service });
      whatsappRoutes(app, { chat: service, appSecret: wa.appSecret, verifyToken: wa.verifyToken });
    },
    start(): void {
      sender.start();
    },
    async stop(): Promise<void> {
      await sender.stop();
    },
  };
}

export type ChatModule = ReturnType<typeof createChat>;
