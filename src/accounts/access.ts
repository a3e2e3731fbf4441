import { appError } from '../http/errors.js';
import { canSeeTheatre, type Actor } from './actor.js';

/*
 * The two refusals of the management API, in the order they are checked:
 * 1. What the caller may not see answers 404 (SPEC §4), exactly like an id that does not exist:
 *    staff see their own theatre only, admins everything.
 * 2. Something the caller can see but may not change answers 403: staff on admin-only actions
 *    of their own theatre.
 */

/** @throws not_found unless the thing exists (theatreId not null) and the actor may see its theatre. */
export function assertVisible(actor: Actor, theatreId: number | null | undefined, what: string): asserts theatreId is number {
  if (theatreId === null || theatreId === undefined || !canSeeTheatre(actor, theatreId)) throw appError('not_found', `No such ${what}.`);
}

/** @throws forbidden for anyone but an admin. */
export function assertAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw appError('forbidden', 'Only an admin may do this.');
}

/** An admin-only action on a thing of `theatreId`: 404 when invisible, then 403 for staff. */
export function assertAdminOf(actor: Actor, theatreId: number | null | undefined, what: string): asserts theatreId is number {
  assertVisible(actor, theatreId, what);
  assertAdmin(actor);
}
