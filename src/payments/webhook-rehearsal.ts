import type { Executor } from '../db/executor.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { OrderEvents } from '../orders/order.events.js';
import { OrderService } from '../orders/order.service.js';
import { GatewayRegistry } from './gateway.factory.js';
import { PaymentService } from './payment.service.js';
import { SimulatedGateway } from './simulated.gateway.js';
import { buildWebhook } from './webhook.js';

export interface WebhookRehearsalDeps {
  uow: UnitOfWork;
  /** The app's order events, with every reaction registered (the WhatsApp notice among them). */
  orderEvents: OrderEvents;
  clock: () => Date;
  newId: () => string;
  newToken: () => string;
  webhookSecret: string;
}

/** What the rehearsal did: the webhook's outcome, or why there was nothing to rehearse with. */
export type RehearsalOutcome = { rehearsed: true; result: string } | { rehearsed: false; why: string };

/** A guest's number for the rehearsal's order; it is rolled back with everything else. */
const REHEARSAL_PHONE = '9000000000';

/**
 * Places an online order, starts its payment on a simulated gateway of its own and applies a
 * signed `payment.captured` webhook for it, through the same services, reactions and statements
 * as a guest's real payment, all in one rehearsal (UnitOfWork.rehearse): everything is rolled back,
 * no job is woken, no metric counted, no message queued survives. Run before the server listens,
 * so the first real webhook after a start does not pay for V8 compiling that path and for the
 * first trip of each of its statements (the first answer took 45–80 ms against 10–20 ms for the
 * next ones). Needs one theatre with a seat and an available item; without one there is nothing
 * a webhook could confirm yet, and nothing is done.
 */
export async function rehearseWebhook(deps: WebhookRehearsalDeps): Promise<RehearsalOutcome> {
  const target = await someSeatAndItem(deps.uow.reader);
  if (!target) return { rehearsed: false, why: 'no theatre with a seat and an available item yet' };
  let result = '';
  await deps.uow.rehearse(async (uow) => {
    const common = { uow, orderEvents: deps.orderEvents, clock: deps.clock };
    const gateway = new SimulatedGateway(deps.newId);
    const payments = new PaymentService({ ...common, newId: deps.newId, gateways: new GatewayRegistry([gateway]), webhookSecret: deps.webhookSecret });
    const orders = new OrderService({ ...common, newToken: deps.newToken });
    const { order } = await orders.createOrder({ seatId: target.seatId, items: [{ itemId: target.itemId, quantity: 1 }], phone: REHEARSAL_PHONE, paymentMethod: 'online' });
    const started = await payments.startPayment(order.id);
    const hook = buildWebhook({
      event: 'payment.captured',
      gatewayOrderId: started.gatewayOrderId,
      gatewayPaymentId: `pay_rehearsal_${deps.newId()}`,
      amount: started.amount,
      secret: deps.webhookSecret,
      eventId: `evt_rehearsal_${deps.newId()}`,
      at: deps.clock(),
    });
    result = (await payments.handleWebhook(Buffer.from(hook.rawBody), hook.signature, hook.eventId)).status;
  });
  return { rehearsed: true, result };
}

async function someSeatAndItem(db: Executor): Promise<{ seatId: number; itemId: number } | undefined> {
  return db
    .selectFrom('seats')
    .innerJoin('seat_rows', 'seat_rows.id', 'seats.row_id')
    .innerJoin('halls', 'halls.id', 'seat_rows.hall_id')
    .innerJoin('menu_categories', 'menu_categories.theatre_id', 'halls.theatre_id')
    .innerJoin('menu_items', 'menu_items.category_id', 'menu_categories.id')
    .where('menu_items.available', '=', 1)
    .select(['seats.id as seatId', 'menu_items.id as itemId'])
    .limit(1)
    .executeTakeFirst();
}
