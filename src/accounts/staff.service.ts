import { appError } from '../http/errors.js';
import type { AuditLog } from '../observability/audit.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { conflictOnUnique } from '../db/conflicts.js';
import { TheatreRepository } from '../theatres/theatre.repository.js';
import { assertAdminOf } from './access.js';
import { AccountRepository, type Account } from './account.repository.js';
import { hashPassword } from './password.js';
import type { SignedIn } from './session.http.js';

/**
 * Admins manage staff accounts. Staff see no account but their own theatre's, and may change
 * none (403 on their theatre's, 404 on anything else, admins' accounts included).
 */
export class StaffService {
  private readonly accounts: AccountRepository;
  private readonly theatres: TheatreRepository;

  constructor(
    private readonly deps: {
      uow: UnitOfWork;
      clock: () => Date;
      audit: AuditLog;
      /** Closes, on every process, the sockets opened from sessions that were just ended (after the commit). */
      revokeSessions: (sessionIds: string[]) => Promise<void>;
    },
  ) {
    this.accounts = new AccountRepository(deps.uow.reader);
    this.theatres = new TheatreRepository(deps.uow.reader);
  }

  async list({ actor }: SignedIn, theatreId: number): Promise<Array<{ id: number; username: string }>> {
    assertAdminOf(actor, (await this.theatres.findTheatre(theatreId))?.id, 'theatre');
    return this.accounts.listStaff(theatreId);
  }

  async create(who: SignedIn, theatreId: number, input: { username: string; password: string }): Promise<Account> {
    assertAdminOf(who.actor, (await this.theatres.findTheatre(theatreId))?.id, 'theatre');
    const taken = `The username "${input.username}" is taken.`;
    if (await this.accounts.findByUsername(input.username)) throw appError('conflict', taken);
    const passwordHash = await hashPassword(input.password);
    const account = await conflictOnUnique(
      () => this.accounts.insert({ username: input.username, passwordHash, role: 'staff', theatreId, createdAt: this.deps.clock().toISOString() }),
      taken,
    );
    this.deps.audit(who.account, 'account.create', account.id);
    return account;
  }

  /**
   * Sets a new password. Every session of that account ends (whoever knew the old password is
   * locked out at once), and so does every socket they opened, on every process; an admin
   * changing their own password keeps the session they did it from.
   */
  async setPassword(who: SignedIn, id: number, password: string): Promise<Account> {
    const target = await this.visibleForChange(who, id);
    const passwordHash = await hashPassword(password);
    const keep = target.id === who.account.id ? who.sessionId : undefined;
    const ended = await this.deps.uow.write(async (trx) => {
      await this.accounts.setPasswordHash(target.id, passwordHash, trx);
      return this.accounts.deleteSessionsOf(target.id, trx, keep);
    });
    this.deps.audit(who.account, 'account.password_reset', id);
    await this.deps.revokeSessions(ended);
    return target;
  }

  /** Deletes an account and all its sessions, closing their sockets. An admin cannot delete their own account (409). */
  async remove(who: SignedIn, id: number): Promise<void> {
    const target = await this.visibleForChange(who, id);
    if (target.id === who.account.id) throw appError('conflict', 'You cannot delete your own account.');
    const ended = await this.deps.uow.write(async (trx) => {
      const sessions = await this.accounts.deleteSessionsOf(target.id, trx);
      await this.accounts.delete(target.id, trx);
      return sessions;
    });
    this.deps.audit(who.account, 'account.delete', id);
    await this.deps.revokeSessions(ended);
  }

  private async visibleForChange({ actor }: SignedIn, id: number): Promise<Account> {
    const target = await this.accounts.findById(id);
    if (actor.role === 'admin') {
      if (!target) throw appError('not_found', 'No such account.');
      return target;
    }
    // Staff: an admin account (no theatre) is as invisible as one of another theatre.
    assertAdminOf(actor, target?.theatreId, 'account');
    return target!;
  }
}
