import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { GatewayName } from './payment.table.js';

const GATEWAYS: readonly GatewayName[] = ['simulated', 'razorpay', 'cashfree', 'phonepe'];

/**
 * The gateway a theatre chose (its `gateway` setting), read at each payment start so a change
 * is in force at once; null (no setting, or an unknown name) means `simulated`.
 */
export async function theatreGateway(db: Kysely<Database>, theatreId: number): Promise<GatewayName | null> {
  const row = (await db.selectFrom('theatres').selectAll().where('id', '=', theatreId).executeTakeFirst()) as { gateway?: unknown } | undefined;
  const name = row?.gateway;
  return typeof name === 'string' && (GATEWAYS as readonly string[]).includes(name) ? (name as GatewayName) : null;
}
