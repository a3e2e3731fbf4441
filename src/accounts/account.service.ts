import { createHash } from 'node:crypto';
import type { Executor } from '../db/executor.js';
import { AccountRepository, type Account, type SessionRecord } from './account.repository.js';
import { dummyPasswordHash, verifyPassword } from './password.js';

export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1_000;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface AccountServiceDeps {
  db: Executor;
  clock: () => Date;
  /** A fresh unguessable token (at least 128 random bits). */
  newToken: () => string;
  sessionTtlMs?: number;
}

/** Log-in and sessions. Only a sha256 of each session token is stored. */
export class AccountService {
  private readonly accounts: AccountRepository;

  constructor(private readonly deps: AccountServiceDeps) {
    this.accounts = new AccountRepository(deps.db);
  }

  /** The account for these credentials, or null. Unknown users cost as much as wrong passwords. */
  async authenticate(username: string, password: string): Promise<Account | null> {
    const found = await this.accounts.findByUsername(username);
    const ok = await verifyPassword(password, found?.passwordHash ?? (await dummyPasswordHash()));
    if (!found || !ok) return null;
    const { passwordHash: _hash, ...account } = found;
    return account;
  }

  async createSession(accountId: number): Promise<{ token: string; expiresAt: string }> {
    const now = this.deps.clock();
    const token = this.deps.newToken();
    const expiresAt = new Date(now.getTime() + (this.deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS)).toISOString();
    await this.accounts.insertSession({ idHash: sha256(token), accountId, createdAt: now.toISOString(), expiresAt });
    return { token, expiresAt };
  }

  /** The session behind a cookie token; null when unknown or expired. */
  lookupSession(token: string): Promise<SessionRecord | null> {
    if (!token) return Promise.resolve(null);
    return this.accounts.findSession(sha256(token), this.deps.clock().toISOString());
  }

  /** Ends the session behind a cookie token; answers its stored id (to close what it opened). */
  async deleteSession(token: string): Promise<string> {
    const id = sha256(token);
    await this.accounts.deleteSession(id);
    return id;
  }

  /** Of these stored session ids, those still live, with their account id. */
  liveSessions(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return Promise.resolve(new Map());
    return this.accounts.liveSessions(ids, this.deps.clock().toISOString());
  }

  deleteExpiredSessions(): Promise<number> {
    return this.accounts.deleteExpiredSessions(this.deps.clock().toISOString());
  }
}
