import type { Generated } from 'kysely';
import type { Role } from '../protocol/index.js';

export type { Role };

export interface AccountTable {
  id: Generated<number>;
  username: string;
  /** `scrypt$N$r$p$salt$hash` (base64url), see password.ts. */
  password_hash: string;
  role: Role;
  /** Null for admins, who belong to no theatre and see all. */
  theatre_id: number | null;
  created_at: string;
}

export interface SessionTable {
  /** sha256 hex of the session token: a database leak does not yield usable cookies. */
  id: string;
  account_id: number;
  created_at: string;
  expires_at: string;
}
