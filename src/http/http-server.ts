import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { authRoutes } from '../accounts/auth.routes.js';
import type { AccountService } from '../accounts/account.service.js';
import { installSessionAuth, type SessionAuth } from '../accounts/session.http.js';
import { staffRoutes } from '../accounts/staff.routes.js';
import type { StaffService } from '../accounts/staff.service.js';
import type { ChatModule } from '../chat/chat.module.js';
import type { Limits } from '../config/limits.js';
import { healthRoutes, type ReadinessCheck } from '../health/health.routes.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { OrderHistoryRepository } from '../orders/history.repository.js';
import { historyRoutes } from '../orders/history.routes.js';
import { kotRoutes } from '../kitchen/kot.routes.js';
import type { OrderRepository } from '../orders/order.repository.js';
import { orderRoutes } from '../orders/order.routes.js';
import { refundRoutes } from '../refunds/refund.routes.js';
import type { RefundService } from '../refunds/refund.service.js';
import type { RefundRequests } from '../refunds/refund-requests.service.js';
import type { OrderService } from '../orders/order.service.js';
import type { CheckoutLinks } from '../payments/checkout-links.js';
import { checkoutRoutes, type CheckoutDeps } from '../payments/checkout.routes.js';
import { paymentRoutes } from '../payments/payment.routes.js';
import type { PaymentService } from '../payments/payment.service.js';
import type { AuthFailureLimiter } from '../realtime/upgrade/auth-failure-limiter.js';
import { manageRoutes } from '../theatres/manage.routes.js';
import { menuRoutes } from '../theatres/menu.routes.js';
import { menuImageRoutes } from '../theatres/menu-image.routes.js';
import type { MenuImageService, PhotoFolder } from '../theatres/menu-image.js';
import type { MenuService } from '../theatres/menu.service.js';
import { seatRoutes } from '../theatres/seat.routes.js';
import type { SeatService } from '../theatres/seat.service.js';
import type { TheatreRepository } from '../theatres/theatre.repository.js';
import type { VenueService } from '../theatres/venue.service.js';
import { ticketRoutes } from '../tickets/ticket.routes.js';
import type { TicketService } from '../tickets/ticket.service.js';
import { webRoutes } from '../web/web.routes.js';
import type { FeedbackService } from '../feedback/feedback.service.js';
import { feedbackRoutes } from '../feedback/feedback.routes.js';
import type { ReportService } from '../reports/report.service.js';
import { reportRoutes } from '../reports/report.routes.js';
import { installErrorHandler } from './error-handler.js';
import { invoiceRoutes } from '../invoices/invoice.routes.js';
import type { InvoiceService } from '../invoices/invoice.service.js';
import { installOpenApi } from './openapi.js';
import type { GuestLimits } from './rate-limits.js';
import { installRouteSchemas } from './route-schemas.js';
import { installSecurityHeaders } from './security-headers.js';
import { closeSilentConnections } from './silent-connections.js';
import type { TrustFn } from './trust-proxy.js';

/** What the HTTP routes serve; each route module takes only its slice. */
export interface HttpServices {
  accounts: AccountService;
  sessions: SessionAuth;
  authFailures: AuthFailureLimiter;
  /** Ends sessions and what they opened (sockets, unspent tickets), on every process. */
  revokeSessions: (sessionIds: string[]) => Promise<void>;
  tickets: TicketService;
  seats: SeatService;
  orders: OrderService;
  payments: PaymentService;
  guestLimits: GuestLimits;
  checkoutLinks: CheckoutLinks;
  checkoutGateway: CheckoutDeps['gateway'];
  chat: ChatModule;
  venue: VenueService;
  menu: MenuService;
  menuImages: MenuImageService;
  menuPhotos: PhotoFolder;
  staff: StaffService;
  history: OrderHistoryRepository;
  theatres: TheatreRepository;
  refunds: RefundService;
  refundRequests: RefundRequests;
  orderRecords: OrderRepository;
  invoices: InvoiceService;
  feedback: FeedbackService;
  reports: ReportService;
}

export interface HttpOptions {
  logger: Logger;
  metrics: Metrics;
  trustProxy: TrustFn;
  limits: Pick<Limits, 'httpHeadersTimeoutMs' | 'httpRequestTimeoutMs'>;
  readiness: ReadinessCheck[];
  /** True once shutdown began: /readyz says so, so balancers stop sending traffic. */
  draining: () => boolean;
  /** An error no route expected (a 500 or a storage failure), for the write-health check. */
  onUnhandled: (err: unknown) => void;
  /** The built web app's folder. */
  webDir: string;
  /** Extra routes registered before the app is sealed (embedding: the benchmark target). */
  routes?: (fastify: FastifyInstance) => void;
}

/**
 * The HTTP half of the app: Fastify with the API's error shape, zod schemas on every route, the
 * session rules (`config.auth`), the OpenAPI document, and every route. Returns it ready to
 * listen; the WebSocket gateway attaches to its server's `upgrade` event.
 */
export async function buildHttp(services: HttpServices, opts: HttpOptions): Promise<FastifyInstance> {
  const { httpHeadersTimeoutMs, httpRequestTimeoutMs } = opts.limits;
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    trustProxy: opts.trustProxy,
    bodyLimit: 256 * 1024,
    // Trickled headers or bodies are answered 408 and closed (Node checks at the interval, so it
    // is kept a fraction of the shortest timeout); closeSilentConnections below covers a
    // connection that never sends a byte.
    requestTimeout: httpRequestTimeoutMs,
    http: { headersTimeout: httpHeadersTimeoutMs, requestTimeout: httpRequestTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(httpHeadersTimeoutMs / 4))) },
  });
  closeSilentConnections(app.server, httpHeadersTimeoutMs);
  installRouteSchemas(app);
  installSecurityHeaders(app);
  installErrorHandler(app, { onUnhandled: opts.onUnhandled });
  await app.register(fastifyCookie);
  installSessionAuth(app, { sessions: services.sessions, verifyOrderToken: (id, token) => services.orders.verifyOrderToken(id, token) });
  await installOpenApi(app);

  healthRoutes(app, { metrics: opts.metrics, checks: opts.readiness, draining: opts.draining });
  authRoutes(app, { accounts: services.accounts, sessions: services.sessions, failures: services.authFailures, revokeSessions: services.revokeSessions });
  ticketRoutes(app, { tickets: services.tickets, orders: services.orders });
  seatRoutes(app, { seats: services.seats });
  orderRoutes(app, { orders: services.orders, refundRequestsOf: (id) => services.refundRequests.requestsOf(id) });
  refundRoutes(app, { refunds: services.refunds, requests: services.refundRequests });
  paymentRoutes(app, { payments: services.payments, limits: services.guestLimits });
  opts.routes?.(app);
  checkoutRoutes(app, { payments: services.payments, links: services.checkoutLinks, gateway: services.checkoutGateway });
  services.chat.routes(app);
  // Management API for staff and admins (docs/api.md).
  manageRoutes(app, { venue: services.venue });
  menuRoutes(app, { menu: services.menu });
  menuImageRoutes(app, { images: services.menuImages, folder: services.menuPhotos, sessions: services.sessions });
  staffRoutes(app, { staff: services.staff });
  historyRoutes(app, { history: services.history, theatres: services.theatres });
  kotRoutes(app, { orders: services.orderRecords, theatres: services.theatres });
  invoiceRoutes(app, { invoices: services.invoices });
  feedbackRoutes(app, { feedback: services.feedback });
  reportRoutes(app, { reports: services.reports });
  await webRoutes(app, { dir: opts.webDir });
  return app;
}
