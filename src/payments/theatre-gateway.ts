import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { GATEWAY_NAMES } from '../protocol/index.js';
import type { GatewayName } from './payment.table.js';

/**
 * The gateway a theatre chose (`theatres.gateway`, its `gateway` setting), read at each payment
 * start so a change is in force at once; null (no setting) means `simulated`.
 */
export async function theatreGateway(db: Kysely<Database>, theatreId: number): Promise<GatewayName | null> {
  const row = await db.selectFrom('theatres').select('gateway').where('id', '=', theatreId).executeTakeFirst();
  const name = row?.gateway;
  return typeof name === 'string' && (GATEWAY_NAMES as readonly string[]).includes(name) ? (name as GatewayName) : null;
}
