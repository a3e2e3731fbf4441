import type { Executor } from '../db/executor.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { OrderEvents } from './order.events.js';
import { OrderRepository } from './order.repository.js';
import { toOrderView, type OrderView } from './order.view.js';

export interface LiveOrdersDeps {
  uow: UnitOfWork;
  orderEvents: OrderEvents;
  clock: () => Date;
  /** Unseen-alert threshold of theatres without their own; absent = only those with one alert. */
  unseenAlertSeconds?: number;
}

/** The staff dashboard's read side, and the unseen-order alert. */
export class LiveOrders {
  private readonly orders: OrderRepository;

  constructor(private readonly deps: LiveOrdersDeps) {
    this.orders = new OrderRepository(deps.uow.reader);
  }

  /** Orders being served (confirmed or seen), oldest first; one theatre's, or all when undefined. */
  async list(theatreId?: number, trx: Executor = this.deps.uow.reader): Promise<OrderView[]> {
    return (await this.orders.listOpen(theatreId, trx)).map(toOrderView);
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
      const order = await this.deps.uow.write(async (trx) => {
        if (!(await this.orders.claimUnseenAlert(trx, candidate.id, now.toISOString()))) return null;
        const record = await this.orders.find(candidate.id, trx);
        const view = toOrderView(record!);
        await this.deps.orderEvents.emit(trx, 'order.unseen', view, now);
        return view;
      });
      if (order) alerted.push(order);
    }
    return alerted;
  }
}
