import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor, Transaction } from '../db/executor.js';
import { MAX_WRONG_CODES } from './approval-codes.js';
import type { RefundApprovalTable } from './refund.table.js';

export type RefundApprovalRow = Selectable<RefundApprovalTable>;

/** Staff refunds waiting for a code. Every change of state is one conditional update. */
export class RefundApprovalRepository {
  constructor(private readonly db: Executor) {}

  async insert(trx: Transaction, row: Insertable<RefundApprovalTable>): Promise<RefundApprovalRow> {
    return trx.insertInto('refund_approvals').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async find(id: number, trx: Executor = this.db): Promise<RefundApprovalRow | null> {
    return (await trx.selectFrom('refund_approvals').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  /**
   * One wrong code: counted, and the approval void at the MAX_WRONG_CODES-th. Returns the tries
   * counted so far, or null when it was no longer pending (used, void, or voided meanwhile).
   */
  async wrongCode(id: number, at: string): Promise<number | null> {
    const row = await this.db
      .updateTable('refund_approvals')
      .set({
        wrong_tries: sql<number>`wrong_tries + 1`,
        status: sql<'pending' | 'void'>`CASE WHEN wrong_tries + 1 >= ${MAX_WRONG_CODES} THEN 'void' ELSE 'pending' END`,
        updated_at: at,
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returning('wrong_tries')
      .executeTakeFirst();
    return row?.wrong_tries ?? null;
  }

  /** pending → void: its code could not be sent. */
  async void(id: number, at: string): Promise<void> {
    await this.db.updateTable('refund_approvals').set({ status: 'void', updated_at: at }).where('id', '=', id).where('status', '=', 'pending').execute();
  }

  /** pending → used, if still pending and not expired: of two right codes at once, one carries it out. */
  async use(trx: Transaction, id: number, at: string): Promise<boolean> {
    const r = await trx
      .updateTable('refund_approvals')
      .set({ status: 'used', updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
