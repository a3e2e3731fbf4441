import type { Role } from './account.table.js';

/** Who asks for a staff action: staff see one theatre, admins all. */
export type Actor = { role: 'staff'; theatreId: number } | { role: 'admin' };

/** What a ticket, a session or a key lets its holder see: every theatre, or one. */
export type TheatreScope = { kind: 'admin' } | { kind: 'theatre'; theatreId: number };

/**
 * The one mapping from a credential to the actor it acts as: an account (its role and theatre),
 * or the theatre scope a ticket or key carries.
 */
export function actorOf(who: { role: Role; theatreId: number | null } | TheatreScope): Actor {
  if ('kind' in who) return who.kind === 'admin' ? { role: 'admin' } : { role: 'staff', theatreId: who.theatreId };
  return who.role === 'admin' ? { role: 'admin' } : { role: 'staff', theatreId: who.theatreId as number };
}

/** The theatre scope of a ticket minted for `actor`. */
export function scopeOf(actor: Actor): TheatreScope {
  return actor.role === 'admin' ? { kind: 'admin' } : { kind: 'theatre', theatreId: actor.theatreId };
}

/** Whether `actor` may see things of `theatreId`. Callers answer 404 (not 403) when not. */
export function canSeeTheatre(actor: Actor, theatreId: number): boolean {
  return actor.role === 'admin' || actor.theatreId === theatreId;
}
