import { settingsProblem } from './settings.js';
import type { Transaction } from '../db/executor.js';
import { assertAdmin, assertAdminOf, assertVisible } from '../accounts/access.js';
import type { SignedIn } from '../accounts/session.http.js';
import { appError, fieldsError } from '../http/errors.js';
import type { AuditLog } from '../observability/audit.js';
import { SeedRepository } from '../seed/seed.repository.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { conflictOnReference, conflictOnUnique } from '../db/conflicts.js';
import type { NewTheatre, TheatreChanges } from './manage.input.js';
import { TheatreRepository, type Theatre } from './theatre.repository.js';
import { VenueRepository, type Layout } from './venue.repository.js';

export interface VenueServiceDeps {
  uow: UnitOfWork;
  clock: () => Date;
  audit: AuditLog;
}

type Place = 'halls' | 'seat_rows' | 'seats';
const WHAT: Record<Place, string> = { halls: 'hall', seat_rows: 'row', seats: 'seat' };
const CHILD: Record<Place, Place> = { halls: 'seat_rows', seat_rows: 'seats', seats: 'seats' };

/** Theatres and their layout (halls, rows, seats): staff read their own, admins change any. */
export class VenueService {
  private readonly theatres: TheatreRepository;
  private readonly venue: VenueRepository;
  private readonly places: SeedRepository;

  constructor(private readonly deps: VenueServiceDeps) {
    this.theatres = new TheatreRepository(deps.uow.reader);
    this.venue = new VenueRepository(deps.uow.reader);
    this.places = new SeedRepository();
  }

  async listTheatres({ actor }: SignedIn): Promise<Theatre[]> {
    const all = await this.theatres.listTheatres();
    return actor.role === 'admin' ? all : all.filter((t) => t.id === actor.theatreId);
  }

  async getTheatre({ actor }: SignedIn, id: number): Promise<Theatre> {
    const theatre = await this.theatres.findTheatre(id);
    assertVisible(actor, theatre?.id, 'theatre');
    return theatre!;
  }

  async layout(who: SignedIn, theatreId: number): Promise<Layout> {
    await this.getTheatre(who, theatreId);
    return this.venue.layout(theatreId);
  }

  async createTheatre(who: SignedIn, t: NewTheatre): Promise<Theatre> {
    assertAdmin(who.actor);
    const taken = `A theatre named "${t.name}" exists already.`;
    const id = await conflictOnUnique(
      () =>
        this.deps.uow.write(async (trx) => {
          if (await this.venue.theatreNameTaken(t.name, undefined, trx)) throw appError('conflict', taken);
          const created = await this.places.upsertTheatre(trx, t, this.deps.clock().toISOString(), { createOnly: true });
          await this.assertCoherent(created, trx);
          return created;
        }),
      taken,
    );
    this.deps.audit(who.account, 'theatre.create', id);
    return (await this.theatres.findTheatre(id))!;
  }

  async updateTheatre(who: SignedIn, id: number, changes: TheatreChanges): Promise<Theatre> {
    const found = await this.theatres.findTheatre(id);
    assertAdminOf(who.actor, found?.id, 'theatre');
    const taken = `A theatre named "${changes.name ?? ''}" exists already.`;
    await conflictOnUnique(
      () =>
        this.deps.uow.write(async (trx) => {
          if (changes.name !== undefined && (await this.venue.theatreNameTaken(changes.name, id, trx))) throw appError('conflict', taken);
          await this.venue.updateTheatre(id, changes, trx);
          await this.assertCoherent(id, trx);
        }),
      taken,
    );
    this.deps.audit(who.account, 'theatre.update', id, Object.keys(changes));
    return (await this.theatres.findTheatre(id))!;
  }

  /** Settings that only make sense together, checked as they stand after the change (which rolls back if not). */
  private async assertCoherent(theatreId: number, trx: Transaction): Promise<void> {
    const problem = settingsProblem((await this.theatres.findTheatre(theatreId, trx))!);
    if (problem) throw fieldsError('unprocessable', problem, [{ path: 'approverPhone', message: problem }]);
  }

  /** Adds a hall to a theatre, a row to a hall, or seats to a row. All names or none: 409 if any is taken. */
  async create(who: SignedIn, table: Place, parentId: number, names: readonly string[]): Promise<Array<{ id: number; name: string }>> {
    const parentTable = table === 'halls' ? null : table === 'seat_rows' ? 'halls' : 'seat_rows';
    const theatreId = parentTable ? await this.venue.theatreOf(parentTable, parentId) : (await this.theatres.findTheatre(parentId))?.id;
    assertAdminOf(who.actor, theatreId, parentTable ? WHAT[parentTable] : 'theatre');
    const taken = `A ${WHAT[table]} of that name exists already here.`;
    const parentKey = table === 'halls' ? 'theatre_id' : table === 'seat_rows' ? 'hall_id' : 'row_id';
    const created = await conflictOnUnique(
      () =>
        this.deps.uow.write(async (trx) => {
          const out = [];
          for (const name of names) {
            if (await this.venue.nameTaken(table, parentId, name, undefined, trx)) throw appError('conflict', `A ${WHAT[table]} named "${name}" exists already here.`);
            out.push({ id: await this.places.findOrCreateNamed(trx, table, { key: parentKey, id: parentId }, name, {}, { createOnly: true }), name });
          }
          return out;
        }),
      taken,
    );
    for (const c of created) this.deps.audit(who.account, `${WHAT[table]}.create`, c.id);
    return created;
  }

  async rename(who: SignedIn, table: Place, id: number, name: string): Promise<{ id: number; name: string }> {
    assertAdminOf(who.actor, await this.venue.theatreOf(table, id), WHAT[table]);
    const taken = `A ${WHAT[table]} named "${name}" exists already here.`;
    await conflictOnUnique(
      () =>
        this.deps.uow.write(async (trx) => {
          const parentId = await this.venue.parentOf(table, id, trx);
          if (parentId === null) throw appError('not_found', `No such ${WHAT[table]}.`);
          if (await this.venue.nameTaken(table, parentId, name, id, trx)) throw appError('conflict', taken);
          await this.venue.rename(table, id, name, trx);
        }),
      taken,
    );
    this.deps.audit(who.account, `${WHAT[table]}.rename`, id, ['name']);
    return { id, name };
  }

  /** Deletes an empty hall or row, or a seat no order was ever placed from (orders keep their seat). */
  async remove(who: SignedIn, table: Place, id: number): Promise<void> {
    assertAdminOf(who.actor, await this.venue.theatreOf(table, id), WHAT[table]);
    const inUse = table === 'seats' ? 'This seat has orders; it cannot be deleted.' : `This ${WHAT[table]} is not empty.`;
    await conflictOnReference(() => this.deps.uow.write(async (trx) => {
      const busy = table === 'seats' ? await this.venue.seatHasOrders(id, trx) : await this.venue.hasChildren(CHILD[table], id, trx);
      if (busy) throw appError('conflict', inUse);
      await this.venue.deleteById(table, id, trx);
    }), inUse);
    this.deps.audit(who.account, `${WHAT[table]}.delete`, id);
  }
}
