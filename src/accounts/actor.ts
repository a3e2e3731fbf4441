/** Who asks for a staff action: staff see one theatre, admins all. */
export type Actor = { role: 'staff'; theatreId: number } | { role: 'admin' };

/** Whether `actor` may see things of `theatreId`. Callers answer 404 (not 403) when not. */
export function canSeeTheatre(actor: Actor, theatreId: number): boolean {
  return actor.role === 'admin' || actor.theatreId === theatreId;
}
