import { appError } from '../http/errors.js';
import type { Transaction } from '../db/executor.js';
import type { OrderRepository } from './order.repository.js';

export interface OpenCashLimits {
  openCashOrdersPerPhone: number;
  openCashOrdersPerAddress: number;
}

/**
 * Refuses a new cash order when its phone, or its client address, already holds the most open
 * (confirmed, not yet served) cash orders allowed at this theatre: a cash order is confirmed
 * unpaid, so without this a few invented ones fill the theatre's `orderLimit`. Call it inside the
 * order's transaction after the theatre's lock (OrderRepository.lockTheatre), so two racing
 * placements, on any process, count each other.
 * @throws cash_limit_reached
 */
export async function assertCashAllowed(
  orders: OrderRepository,
  trx: Transaction,
  theatreId: number,
  who: { phone: string; clientAddress: string | undefined },
  limits: OpenCashLimits,
): Promise<void> {
  if ((await orders.countOpenCash(trx, theatreId, { phone: who.phone })) >= limits.openCashOrdersPerPhone) {
    throw appError('cash_limit_reached', `This phone number already has ${limits.openCashOrdersPerPhone} unpaid cash orders open here; pay online, or wait until they are served.`);
  }
  if (who.clientAddress !== undefined && (await orders.countOpenCash(trx, theatreId, { clientAddress: who.clientAddress })) >= limits.openCashOrdersPerAddress) {
    throw appError('cash_limit_reached', 'Too many unpaid cash orders are open from this network; pay online, or wait until they are served.');
  }
}
