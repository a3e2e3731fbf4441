import { AccountRepository } from '../accounts/account.repository.js';
import type { Database } from '../db/schema.js';
import { OrderRepository } from '../orders/order.repository.js';
import { PaymentRepository } from '../payments/payment.repository.js';
import type { Executor } from '../db/executor.js';
import type { SingleUseStore } from '../tickets/single-use-store.js';
import type { HousekeepingTask } from './housekeeping.js';

export interface HousekeepingRetention {
  /** Idempotency answers older than this are forgotten (a retry after it places a new order). */
  idempotencyRetentionMs: number;
  /** Payment webhook ids are kept this long, well past the gateway's retries (Razorpay: 24 h). */
  webhookRetentionMs: number;
}

async function countRows(db: Executor, table: keyof Database): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The housekeeping of this service: each delete lives in the repository of its table; this only
 * says what is old. Spent tickets are swept only where the store keeps them in this process
 * (Redis expires its keys by itself).
 */
export function housekeepingTasks(deps: { db: Executor; clock: () => Date; retention: HousekeepingRetention; spentTickets: SingleUseStore }): HousekeepingTask[] {
  const { db, clock, retention } = deps;
  const before = (ms: number) => new Date(clock().getTime() - ms).toISOString();
  const tasks: HousekeepingTask[] = [
    {
      name: 'idempotency_keys',
      prune: () => new OrderRepository(db).pruneIdempotent(before(retention.idempotencyRetentionMs)),
      size: () => countRows(db, 'idempotency_keys'),
    },
    {
      name: 'sessions',
      prune: () => new AccountRepository(db).deleteExpiredSessions(clock().toISOString()),
      size: () => countRows(db, 'sessions'),
    },
    {
      name: 'webhook_events',
      prune: () => new PaymentRepository(db).pruneWebhookEvents(before(retention.webhookRetentionMs)),
      size: () => countRows(db, 'webhook_events'),
    },
  ];
  const forget = deps.spentTickets.forgetExpired?.bind(deps.spentTickets);
  const held = deps.spentTickets.held?.bind(deps.spentTickets);
  if (forget && held) tasks.push({ name: 'spent_tickets', prune: async () => forget(), size: async () => held() });
  return tasks;
}
