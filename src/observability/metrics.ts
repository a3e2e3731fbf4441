import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The service's Prometheus metrics, in a registry per app so several apps can live in one test process. */
export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: 'scan2food_ws_connections',
    help: 'Open WebSocket connections per socket',
    labelNames: ['socket'],
    registers: [this.registry],
  });
  readonly upgrades = new Counter({
    name: 'scan2food_ws_upgrades_total',
    help: 'WebSocket upgrade requests by socket, result and reason',
    labelNames: ['socket', 'result', 'reason'],
    registers: [this.registry],
  });
  readonly messagesIn = new Counter({
    name: 'scan2food_ws_messages_in_total',
    help: 'Messages received from clients per socket',
    labelNames: ['socket'],
    registers: [this.registry],
  });
  /**
   * Frames sent, per socket. Fan-out sends one frame per follower per event, so the hot path only
   * bumps a plain number (`countSent`); the counter catches up when it is scraped.
   */
  private readonly sentSinceScrape = new Map<string, number>();
  readonly messagesOut = new Counter({
    name: 'scan2food_ws_messages_out_total',
    help: 'Messages sent to clients per socket',
    labelNames: ['socket'],
    registers: [this.registry],
    collect: () => {
      for (const [socket, n] of this.sentSinceScrape) if (n > 0) this.messagesOut.inc({ socket }, n);
      this.sentSinceScrape.clear();
    },
  });

  /** A function that counts one sent frame of `socket`, cheap enough to call per frame. */
  sentCounter(socket: string): () => void {
    return () => this.sentSinceScrape.set(socket, (this.sentSinceScrape.get(socket) ?? 0) + 1);
  }
  readonly closes = new Counter({
    name: 'scan2food_ws_closes_total',
    help: 'Connections closed by the server, by close code',
    labelNames: ['code'],
    registers: [this.registry],
  });

  /** Records kept by each housekeeping store (set after each round: idempotency_keys, sessions, webhook_events, spent_tickets). */
  readonly storeSize = new Gauge({
    name: 'scan2food_store_size',
    help: 'Records kept per housekeeping store after its last prune',
    labelNames: ['store'],
    registers: [this.registry],
  });
  /** Orders confirmed by a payment, by how the payment was learnt: the gateway's webhook, or the status check asking the gateway. */
  readonly paymentsConfirmed = new Counter({
    name: 'scan2food_payments_confirmed_total',
    help: 'Orders confirmed by an online payment, by source (webhook or status_check)',
    labelNames: ['source'],
    registers: [this.registry],
  });
  readonly pruned = new Counter({
    name: 'scan2food_housekeeping_pruned_total',
    help: 'Records forgotten by housekeeping per store (on this process)',
    labelNames: ['store'],
    registers: [this.registry],
  });

  /** Guest requests refused with 429 by a limit of issue 10 (orders-phone, orders-address, payments-order, payments-address). */
  readonly guestLimited = new Counter({
    name: 'scan2food_guest_requests_limited_total',
    help: 'Anonymous guest requests refused with 429, by the limit that refused them (on this process)',
    labelNames: ['limit'],
    registers: [this.registry],
  });

  /** Automatic WhatsApp messages not sent: the number has neither paid nor written, and its daily allowance is spent. */
  readonly whatsappCapped = new Counter({
    name: 'scan2food_whatsapp_capped_total',
    help: 'Automatic WhatsApp messages not sent to a number that has neither paid nor written (its daily cap was reached)',
    registers: [this.registry],
  });

  private readonly upgradeChildren = new Map<string, { inc(): void }>();

  /** Counts an upgrade; the labelled child is looked up once per (socket, result, reason), not per call. */
  countUpgrade(socket: string, result: 'accepted' | 'refused', reason: string): void {
    const key = `${socket}|${result}|${reason}`;
    let child = this.upgradeChildren.get(key);
    if (!child) this.upgradeChildren.set(key, (child = this.upgrades.labels(socket, result, reason)));
    child.inc();
  }

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'scan2food_' });
  }
}
