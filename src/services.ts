import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { AccountService } from './accounts/account.service.js';
import { StaffService } from './accounts/staff.service.js';
import { createChat } from './chat/chat.module.js';
import { ChatRepository } from './chat/chat.repository.js';
import { OUTBOUND_QUEUE } from './chat/outbound-sender.js';
import type { Config } from './config/config.js';
import type { Db } from './db/database.js';
import { rehearseWebhook } from './payments/webhook-rehearsal.js';
import { UnitOfWork } from './db/unit-of-work.js';
import type { Engines } from './engines.js';
import { GuestLimits } from './http/rate-limits.js';
import { housekeepingTasks } from './jobs/housekeeping-tasks.js';
import { Housekeeping } from './jobs/housekeeping.js';
import { auditLog } from './observability/audit.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import { OrderHistoryRepository } from './orders/history.repository.js';
import { LiveOrders } from './orders/live-orders.js';
import { OrderEvents } from './orders/order.events.js';
import { OrderRepository } from './orders/order.repository.js';
import { OrderService } from './orders/order.service.js';
import { UnseenEscalator } from './orders/unseen-escalator.js';
import { CheckoutLinks } from './payments/checkout-links.js';
import { createGatewayRegistry } from './payments/gateway.factory.js';
import { theatreGateway } from './payments/theatre-gateway.js';
import { PaymentService } from './payments/payment.service.js';
import { REFUND_QUEUE } from './payments/refunds.js';
import { codeSender } from './refunds/approval-sender.js';
import { refundAudit } from './refunds/refund.audit.js';
import { tellGuestRequestRefunded } from './refunds/refund-notices.js';
import { RefundService } from './refunds/refund.service.js';
import { RefundRequests } from './refunds/refund-requests.service.js';
import { PresenceService } from './presence/presence.service.js';
import { wireOrderReactions } from './reactions.js';
import { WHATSAPP_DEFAULTS } from './chat/whatsapp.config.js';
import { EventRepository } from './streams/event.repository.js';
import { OutboxRelay } from './streams/outbox-relay.js';
import { RetentionPruner } from './streams/retention-pruner.js';
import { StreamService } from './streams/stream.service.js';
import { MenuService } from './theatres/menu.service.js';
import { MenuImageService, PhotoFolder } from './theatres/menu-image.js';
import { SeatService } from './theatres/seat.service.js';
import { TheatreRepository } from './theatres/theatre.repository.js';
import { VenueService } from './theatres/venue.service.js';
import { InvoiceService } from './invoices/invoice.service.js';
import { FeedbackService } from './feedback/feedback.service.js';
import { ReportRepository } from './reports/report.repository.js';
import { ReportService } from './reports/report.service.js';

export interface ServiceInputs {
  config: Config;
  engines: Engines;
  database: Db;
  logger: Logger;
  metrics: Metrics;
  /** Injected clock, epoch ms. */
  now: () => number;
  /** Ends sessions on every process (the gateway closes their sockets); staff changes call it. */
  revokeSessions: (sessionIds: string[]) => Promise<void>;
}

/**
 * The services and background jobs of one process, built from the configuration and the chosen
 * engines: every write commits through one unit of work, which wakes the outbox relay after each
 * commit, the WhatsApp sender after one that queued a message, and the refund worker after one
 * that queued a refund. The HTTP routes and the gateway are wired onto these by app.ts.
 */
export function composeServices(inputs: ServiceInputs) {
  const { config, engines, logger, metrics, now } = inputs;
  const { limits } = config;
  const clock = () => new Date(now());
  const db = inputs.database.db;
  const newToken = () => randomBytes(32).toString('base64url');
  const newId = () => randomUUID();

  const uow = new UnitOfWork(db, (err) => logger.warn({ err }, 'waking a job after a commit failed; its poll will catch up'));
  const events = new EventRepository(db, clock);
  const relay = new OutboxRelay(events, engines.bus, logger, { pollMs: limits.outboxPollMs, batch: limits.outboxBatch });
  uow.afterEveryCommit(() => relay.kick());
  const orderEvents = wireOrderReactions(new OrderEvents(), {
    unknownPhoneCap: { cap: config.whatsapp.unknownPhoneCap, windowMs: WHATSAPP_DEFAULTS.unknownPhoneWindowMs },
    onCapped: () => metrics.whatsappCapped.inc(),
  });

  const chat = createChat({ uow, clock, logger, whatsapp: config.whatsapp });
  uow.afterCommitOf(OUTBOUND_QUEUE, () => chat.sender.kick());
  const presence = new PresenceService({
    store: engines.presence,
    uow,
    now: clock,
    onError: (err) => logger.error({ err }, 'presence not shared or its event not recorded'),
    heartbeatMs: Math.floor(limits.presenceTtlMs / 3),
  });
  const pruner = new RetentionPruner(events, { keepPerStream: limits.retentionEvents, maxAgeMs: limits.retentionMs }, limits.pruneIntervalMs, (err) =>
    logger.error({ err }, 'pruning stream history failed'),
  );
  const housekeeping = new Housekeeping(
    housekeepingTasks({ db, clock, retention: limits, spentTickets: engines.spentTickets }),
    metrics,
    { intervalMs: limits.housekeepingIntervalMs, onError: (err) => logger.error({ err }, 'housekeeping failed') },
  );
  const accounts = new AccountService({ db, clock, newToken });
  const checkoutLinks = new CheckoutLinks(config.secrets.PAYMENT_WEBHOOK_SECRET);
  const gateways = createGatewayRegistry(config, checkoutLinks, newId);
  const payments = new PaymentService({
    uow,
    orderEvents,
    clock,
    newId,
    gateways,
    theatreGateway: (theatreId) => theatreGateway(db, theatreId),
    webhookSecret: config.secrets.PAYMENT_WEBHOOK_SECRET,
    alert: (message, fields) => logger.warn({ alert: true, ...fields }, message),
    onError: (err) => logger.error({ err }, 'refund worker round failed'),
    statusChecks: config.paymentChecks,
    onConfirmed: (source) => metrics.paymentsConfirmed.inc({ source }),
  });
  uow.afterCommitOf(REFUND_QUEUE, () => payments.refunds.job.kick());
  const guestLimits = new GuestLimits(engines.rateLimiter, limits, (limit) => metrics.guestLimited.inc({ limit }));
  const orders = new OrderService({
    uow,
    orderEvents,
    clock,
    newToken,
    refunds: payments,
    unseenAlertSeconds: config.whatsapp.unseenAlertSeconds,
    maxOrderTotalPaise: limits.maxOrderTotalPaise,
    openCashLimits: limits,
    admitOrder: (phone, address) => guestLimits.admitOrder(phone, address),
  });
  const unseen = new UnseenEscalator({ emitUnseenAlerts: () => orders.emitUnseenAlerts(), logger, intervalMs: config.whatsapp.unseenCheckMs });
  const liveOrders = new LiveOrders({ uow, orderEvents, clock });
  const streams = new StreamService(db, inputs.database.dialect, {
    liveOrders: (trx, theatreId) => liveOrders.list(theatreId, trx),
    payment: (trx, orderId) => payments.paymentStatus(orderId, trx).catch(() => null),
    presence: () => presence.snapshot(),
    conversations: (trx, theatreId) => new ChatRepository(trx).conversations(theatreId),
  });
  const audit = auditLog(logger);
  const menuPhotos = new PhotoFolder(join(config.dataDir, 'media', 'menu'));
  const orderRecords = new OrderRepository(db);
  const refunds = new RefundService({
    uow,
    clock,
    refunds: payments.refunds,
    sendCode: codeSender(
      chat.api,
      { template: config.whatsapp.templates.refund_code, language: config.whatsapp.templateLanguage, maxAttempts: config.whatsapp.maxAttempts, retryBaseMs: config.whatsapp.retryBaseMs },
      logger,
    ),
    audit: refundAudit(logger),
  });
  const refundRequests = new RefundRequests({ uow, clock, audit: refundAudit(logger) });
  payments.refunds.setHooks({ accepted: refundRequests.grantOpenRequest });
  orderEvents.reactAfter(tellGuestRequestRefunded);

  return {
    uow,
    relay,
    housekeeping,
    chat,
    presence,
    accounts,
    payments,
    checkoutLinks,
    gateways,
    guestLimits,
    orders,
    refunds,
    refundRequests,
    seats: new SeatService({ db }),
    streams,
    venue: new VenueService({ uow, clock, audit }),
    menu: new MenuService({ uow, audit }),
    menuImages: new MenuImageService({ uow, audit, folder: menuPhotos }),
    menuPhotos,
    staff: new StaffService({ uow, clock, audit, revokeSessions: inputs.revokeSessions }),
    history: new OrderHistoryRepository(db),
    theatres: new TheatreRepository(db),
    invoices: new InvoiceService({ db }),
    feedback: new FeedbackService({ db, clock }),
    reports: new ReportService({ db, reports: new ReportRepository(db, inputs.database.dialect) }),
    orderExists: (id: string) => orderRecords.exists(id),
    /** Runs a guest's payment end to end and rolls it back (payments/webhook-rehearsal.ts): before listening. */
    rehearseWebhook: () => rehearseWebhook({ uow, orderEvents, clock, newId, newToken, webhookSecret: config.secrets.PAYMENT_WEBHOOK_SECRET }),
    /** Orders as stored (the kitchen ticket reads the guest's notes). */
    orderRecords,
    /** Starts the background jobs. */
    start(): void {
      relay.start();
      chat.start();
      unseen.start();
      presence.start();
      pruner.start();
      payments.refunds.job.start();
      payments.statusChecks.job.start();
      housekeeping.start();
    },
    /** Stops the background jobs; the relay last, so what they committed is published. */
    async stop(): Promise<void> {
      await unseen.stop();
      await chat.stop();
      await presence.stop();
      await pruner.stop();
      await payments.refunds.job.stop();
      await payments.statusChecks.job.stop();
      await housekeeping.stop();
      await relay.stop();
    },
  };
}

export type Services = ReturnType<typeof composeServices>;
