import { SerialJob } from '../jobs/serial-job.js';
import type { GatewayRegistry } from './gateway.factory.js';
import { GatewayError, type GatewayEvent } from './payment.gateway.js';
import type { PaymentRepository, PaymentRow } from './payment.repository.js';
import type { ConfirmationSource, WebhookResult } from './webhook.handler.js';

export interface StatusCheckOptions {
  /** A payment still pending this long after it started is asked about at its gateway. */
  afterMs: number;
  /** The backoff between checks doubles up to this. */
  maxIntervalMs: number;
  /** After this long since it started, a payment is no longer checked (and an operator is told). */
  giveUpMs: number;
  /** Payments checked per round. */
  batch?: number;
}

export const STATUS_CHECK_DEFAULTS: StatusCheckOptions = { afterMs: 120_000, maxIntervalMs: 900_000, giveUpMs: 48 * 3_600_000 };

interface Deps {
  payments: PaymentRepository;
  gateways: GatewayRegistry;
  /** The webhook handler's one entry for every gateway event (same rules, same locks). */
  apply: (event: GatewayEvent, source: ConfirmationSource) => Promise<WebhookResult>;
  clock: () => Date;
  alert: (message: string, fields: Record<string, unknown>) => void;
  onError: (err: unknown) => void;
}

/** When the check after `attempts` checks so far comes: `afterMs`, then doubling, at most `maxIntervalMs`. */
export function nextCheckDelay(opts: StatusCheckOptions, attempts: number): number {
  return Math.min(opts.afterMs * 2 ** Math.min(attempts, 20), opts.maxIntervalMs);
}

/**
 * No payment left hanging: a payment still pending `afterMs` after it started (its webhook
 * lost, the guest's page closed) is asked about at its gateway's order-status API, then again
 * with a growing interval until it is final or `giveUpMs` has passed. Failed and superseded
 * attempts are asked too (a guest may pay again on the same gateway order, or pay an older
 * attempt): a capture found there is taken or refunded exactly as its webhook would be. What the gateway says goes
 * through the webhook handler's `apply` as a `status:`-identified event: a payment the gateway
 * says succeeded confirms the order exactly as its webhook would, under the order's lock, so a
 * webhook arriving at the same moment (on any process) and this check confirm it once.
 *
 * Each check is claimed with one conditional update of `payments.next_check_at` (see
 * PaymentRepository.claimCheck), so several processes never ask about one payment at once.
 */
export class PaymentStatusChecks {
  readonly job: SerialJob;
  private readonly opts: Required<StatusCheckOptions>;

  constructor(
    private readonly deps: Deps,
    opts: StatusCheckOptions = STATUS_CHECK_DEFAULTS,
  ) {
    this.opts = { batch: 50, ...opts };
    const intervalMs = Math.max(100, Math.min(5_000, Math.floor(opts.afterMs / 4)));
    this.job = new SerialJob(() => this.round(true), { intervalMs, onError: deps.onError });
  }

  /** When a new payment's first check is due. */
  firstCheckAt(createdAt: Date): string {
    return new Date(createdAt.getTime() + this.opts.afterMs).toISOString();
  }

  /** One round: every due payment, each claimed, asked, and applied (the job's rounds end early when it is stopped). */
  async round(fromJob = false): Promise<void> {
    const now = this.deps.clock();
    for (const payment of await this.deps.payments.dueForCheck(now.toISOString(), this.opts.batch)) {
      if (fromJob && this.job.isStopped) return;
      await this.check(payment, now).catch(this.deps.onError);
    }
  }

  private async check(payment: PaymentRow, now: Date): Promise<void> {
    const attempts = payment.check_attempts + 1;
    const age = now.getTime() - Date.parse(payment.created_at);
    const giveUp = age >= this.opts.giveUpMs;
    const next = giveUp ? null : new Date(now.getTime() + nextCheckDelay(this.opts, attempts)).toISOString();
    if (!(await this.deps.payments.claimCheck(payment.id, payment.next_check_at!, next, attempts))) return;
    const gateway = this.deps.gateways.get(payment.gateway);
    if (!gateway) {
      // Configured on another process of this deployment, perhaps: it checks it there.
      return;
    }
    let status;
    try {
      status = await gateway.status(payment.gateway_order_id);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      // Asked again at the next check.
      this.deps.alert('payment status check failed; retried later', { paymentId: payment.id, gateway: payment.gateway, error: err.message, giveUp });
      return;
    }
    if (status.state === 'pending') {
      if (giveUp) this.deps.alert('payment still pending at its gateway; no longer checked: look at it by hand', { paymentId: payment.id, orderId: payment.order_id, gateway: payment.gateway });
      return;
    }
    const event: GatewayEvent =
      status.state === 'paid'
        ? {
            id: `status:${payment.gateway}:${status.gatewayPaymentId}`.slice(0, 200),
            kind: 'captured',
            gatewayOrderId: payment.gateway_order_id,
            gatewayPaymentId: status.gatewayPaymentId,
            amount: status.amount,
            currency: status.currency,
          }
        : { id: `status:${payment.gateway}:${payment.gateway_order_id}:failed`.slice(0, 200), kind: 'failed', gatewayOrderId: payment.gateway_order_id, currency: payment.currency };
    const result = await this.deps.apply(event, 'status_check');
    // Final at the gateway: nothing more to ask, whatever it changed here (an ignored outcome was alerted).
    if (result.status !== 'processed') await this.deps.payments.stopChecks(payment.id);
  }
}
