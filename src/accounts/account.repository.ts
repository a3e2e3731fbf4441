import type { Executor } from '../db/executor.js';
import type { Role } from './account.table.js';
import type { AccountView } from '../protocol/index.js';

/** An account as `GET /api/auth/me` shows it: the contract's own type. */
export type Account = AccountView;

export interface AccountWithHash extends Account {
  passwordHash: string;
}

export interface SessionRecord {
  /** The stored id: sha256 of the cookie's token. */
  id: string;
  account: Account;
  expiresAt: string;
}

export class AccountRepository {
  constructor(private readonly db: Executor) {}

  async findByUsername(username: string, trx: Executor = this.db): Promise<AccountWithHash | null> {
    const r = await trx.selectFrom('accounts').selectAll().where('username', '=', username).executeTakeFirst();
    return r ? { id: r.id, username: r.username, role: r.role, theatreId: r.theatre_id, passwordHash: r.password_hash } : null;
  }

  async findById(id: number, trx: Executor = this.db): Promise<Account | null> {
    const r = await trx
      .selectFrom('accounts')
      .select(['id', 'username', 'role', 'theatre_id'])
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? { id: r.id, username: r.username, role: r.role, theatreId: r.theatre_id } : null;
  }

  async insert(
    a: { username: string; passwordHash: string; role: Role; theatreId: number | null; createdAt: string },
    trx: Executor = this.db,
  ): Promise<Account> {
    const r = await trx
      .insertInto('accounts')
      .values({
        username: a.username,
        password_hash: a.passwordHash,
        role: a.role,
        theatre_id: a.theatreId,
        created_at: a.createdAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: r.id, username: a.username, role: a.role, theatreId: a.theatreId };
  }

  /**
   * Updates an account in place (the seed command). A changed password, role or theatre ends
   * every session of the account in the same transaction: what those sessions opened was granted
   * under the old ones. Running servers close their sockets at their next session check.
   */
  async update(
    id: number,
    a: { passwordHash?: string; role: Role; theatreId: number | null },
    trx: Executor = this.db,
  ): Promise<void> {
    const before = await trx.selectFrom('accounts').select(['role', 'theatre_id']).where('id', '=', id).executeTakeFirst();
    await trx
      .updateTable('accounts')
      .set({ role: a.role, theatre_id: a.theatreId, ...(a.passwordHash ? { password_hash: a.passwordHash } : {}) })
      .where('id', '=', id)
      .execute();
    if (a.passwordHash || before?.role !== a.role || before?.theatre_id !== a.theatreId) await this.deleteSessionsOf(id, trx);
  }

  async insertSession(s: { idHash: string; accountId: number; createdAt: string; expiresAt: string }): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ id: s.idHash, account_id: s.accountId, created_at: s.createdAt, expires_at: s.expiresAt })
      .execute();
  }

  /** The session's account if the session exists and expires after `now` (ISO). */
  async findSession(idHash: string, now: string): Promise<SessionRecord | null> {
    const r = await this.db
      .selectFrom('sessions')
      .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
      .select(['accounts.id', 'accounts.username', 'accounts.role', 'accounts.theatre_id', 'sessions.expires_at'])
      .where('sessions.id', '=', idHash)
      .where('sessions.expires_at', '>', now)
      .executeTakeFirst();
    if (!r) return null;
    return { id: idHash, account: { id: r.id, username: r.username, role: r.role, theatreId: r.theatre_id }, expiresAt: r.expires_at };
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', idHash).execute();
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** A theatre's staff accounts, in creation order. */
  async listStaff(theatreId: number): Promise<Array<{ id: number; username: string }>> {
    return this.db.selectFrom('accounts').select(['id', 'username']).where('role', '=', 'staff').where('theatre_id', '=', theatreId).orderBy('id').execute();
  }

  async setPasswordHash(id: number, passwordHash: string, trx: Executor = this.db): Promise<void> {
    await trx.updateTable('accounts').set({ password_hash: passwordHash }).where('id', '=', id).execute();
  }

  /**
   * Ends every session of an account but `keep` (logged out everywhere else) and answers the ids
   * it ended, so what they opened can be closed too.
   */
  async deleteSessionsOf(accountId: number, trx: Executor = this.db, keep?: string): Promise<string[]> {
    let query = trx.deleteFrom('sessions').where('account_id', '=', accountId);
    if (keep !== undefined) query = query.where('id', '!=', keep);
    const rows = await query.returning('id').execute();
    return rows.map((r) => r.id);
  }

  /** Of these session ids, those still live (unexpired), with their account. */
  async liveSessions(idHashes: string[], now: string): Promise<Map<string, number>> {
    const live = new Map<string, number>();
    // Chunks keep the parameter list well under every engine's limit.
    for (let i = 0; i < idHashes.length; i += 500) {
      const rows = await this.db
        .selectFrom('sessions')
        .select(['id', 'account_id'])
        .where('id', 'in', idHashes.slice(i, i + 500))
        .where('expires_at', '>', now)
        .execute();
      for (const r of rows) live.set(r.id, r.account_id);
    }
    return live;
  }

  async delete(id: number, trx: Executor = this.db): Promise<void> {
    await trx.deleteFrom('accounts').where('id', '=', id).execute();
  }
}
