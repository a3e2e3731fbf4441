import type { Executor } from '../streams/event.repository.js';
import { emitOrderEvent } from './order.events.js';
import { OrderRepository } from './order.repository.js';
import { toOrderView, type OrderView } from './order.view.js';

/** The staff dashboard's read side, and the unseen-order alert. */
export class LiveOrders {
  private readonly orders: OrderRepository;

  constructor(private readonly deps: { db: Executor; clock: () => Date; unseenAlertSeconds?: number }) {
    this.orders = new OrderRepository(deps.db);
  }

  /** Orders being served (confirmed or seen), oldest first; one theatre's, or all when undefined. */
  async list(theatreId?: number, trx: Executor = this.deps.db): Promise<OrderView[]> {
    return (await new OrderRepository(trx).listOpen(theatreId)).map(toOrderView);
  }

  /**
   * Emits `order.unseen` (theatre stream and `theatres`) once for each order still confirmed
   * `unseen_alert_seconds` after it was confirmed. Safe to call from several processes: each
   * alert is claimed by a conditional update in the transaction that emits it. Call it
   * periodically; returns the orders alerted this time.
   */
  async emitUnseenAlerts(): Promise<OrderView[]> {
    const now = this.deps.clock();
    const due = (await this.orders.unseenCandidates(this.deps.unseenAlertSeconds)).filter(
      (c) => Date.parse(c.confirmedAt) + c.alertSeconds * 1_000 <= now.getTime(),
    );
    const alerted: OrderView[] = [];
    for (const candidate of due) {
      const order = await this.deps.db.transaction().execute(async (trx) => {
        if (!(await this.orders.claimUnseenAlert(trx, candidate.id, now.toISOString()))) return null;
        const record = await this.orders.find(candidate.id, trx);
        const view = toOrderView(record!);
        await emitOrderEvent(trx, 'order.unseen', view, now);
        return view;
      });
      if (order) alerted.push(order);
    }
    return alerted;
  }
}
