import { assertAdminOf, assertVisible } from '../accounts/access.js';
import type { SignedIn } from '../accounts/session.http.js';
import { appError } from '../http/errors.js';
import type { AuditLog } from '../observability/audit.js';
import { SeedRepository } from '../seed/seed.repository.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { conflictOnUnique } from '../db/conflicts.js';
import type { MenuItemChanges, NewMenuItem } from './manage.input.js';
import { MenuRepository, type MenuItemView } from './menu.repository.js';
import { TheatreRepository } from './theatre.repository.js';
import { VenueRepository } from './venue.repository.js';
import type { MenuView } from '../protocol/index.js';

export type { MenuView };

/** The one change staff may make to the menu: whether an item is available now. */
const STAFF_ITEM_FIELDS: ReadonlySet<string> = new Set(['available']);

/** A theatre's menu for staff and admins: staff read it and switch availability, admins edit it. */
export class MenuService {
  private readonly theatres: TheatreRepository;
  private readonly venue: VenueRepository;
  private readonly places: SeedRepository;
  private readonly menu: MenuRepository;

  constructor(private readonly deps: { uow: UnitOfWork; audit: AuditLog }) {
    this.theatres = new TheatreRepository(deps.uow.reader);
    this.venue = new VenueRepository(deps.uow.reader);
    this.menu = new MenuRepository(deps.uow.reader);
    this.places = new SeedRepository();
  }

  /** The whole menu, unavailable items included, in menu order. */
  async menuOf({ actor }: SignedIn, theatreId: number): Promise<MenuView> {
    assertVisible(actor, (await this.theatres.findTheatre(theatreId))?.id, 'theatre');
    const categories = await this.theatres.menu(theatreId);
    return {
      categories: categories.map((c) => ({
        id: c.id,
        name: c.name,
        items: c.items.map(({ theatreId: _theatre, ...item }) => item),
      })),
    };
  }

  async createCategory(who: SignedIn, theatreId: number, name: string): Promise<{ id: number; name: string }> {
    assertAdminOf(who.actor, (await this.theatres.findTheatre(theatreId))?.id, 'theatre');
    const taken = `A category named "${name}" exists already.`;
    const id = await conflictOnUnique(
      () =>
        this.deps.uow.write(async (trx) => {
          if (await this.venue.nameTaken('menu_categories', theatreId, name, undefined, trx)) throw appError('conflict', taken);
          const position = await this.menu.nextCategoryPosition(theatreId, trx);
          return this.places.findOrCreateNamed(trx, 'menu_categories', { key: 'theatre_id', id: theatreId }, name, { position }, { createOnly: true });
        }),
      taken,
    );
    this.deps.audit(who.account, 'menu_category.create', id);
    return { id, name };
  }

  async renameCategory(who: SignedIn, id: number, name: string): Promise<{ id: number; name: string }> {
    const category = await this.menu.findCategory(id);
    assertAdminOf(who.actor, category?.theatreId, 'menu category');
    const taken = `A category named "${name}" exists already.`;
    await conflictOnUnique(
      () =>
        this.deps.uow.write(async (trx) => {
          if (await this.venue.nameTaken('menu_categories', category!.theatreId, name, id, trx)) throw appError('conflict', taken);
          await this.venue.rename('menu_categories', id, name, trx);
        }),
      taken,
    );
    this.deps.audit(who.account, 'menu_category.rename', id, ['name']);
    return { id, name };
  }

  async createItem(who: SignedIn, categoryId: number, item: NewMenuItem): Promise<MenuItemView> {
    assertAdminOf(who.actor, (await this.menu.findCategory(categoryId))?.theatreId, 'menu category');
    const taken = `An item named "${item.name}" exists already in this category.`;
    const id = await conflictOnUnique(
      () =>
        this.deps.uow.write(async (trx) => {
          if (await this.venue.nameTaken('menu_items', categoryId, item.name, undefined, trx)) throw appError('conflict', taken);
          const position = item.sortOrder ?? (await this.menu.nextItemPosition(categoryId, trx));
          return this.places.upsertMenuItem(trx, categoryId, { ...item, position }, { createOnly: true });
        }),
      taken,
    );
    this.deps.audit(who.account, 'menu_item.create', id);
    return (await this.menu.findItem(id))!;
  }

  /**
   * Staff may switch `available` only (any other field is 403); admins change anything. A move
   * to another category stays within the item's theatre (else 422). The guest's seat page reads
   * the menu from the database on every request, so it shows the change at once.
   */
  async updateItem(who: SignedIn, id: number, changes: MenuItemChanges): Promise<MenuItemView> {
    const theatreId = await this.venue.theatreOf('menu_items', id);
    assertVisible(who.actor, theatreId, 'menu item');
    const fields = Object.keys(changes);
    if (who.actor.role !== 'admin' && fields.some((f) => !STAFF_ITEM_FIELDS.has(f))) {
      throw appError('forbidden', 'Staff may only change whether an item is available.');
    }
    const taken = 'An item of that name exists already in the category.';
    await conflictOnUnique(
      () =>
        this.deps.uow.write(async (trx) => {
          const current = await this.menu.findItem(id, trx);
          if (!current) throw appError('not_found', 'No such menu item.');
          const categoryId = changes.categoryId ?? current.categoryId;
          if (changes.categoryId !== undefined && (await this.menu.findCategory(categoryId, trx))?.theatreId !== theatreId) {
            throw appError('unprocessable', "categoryId must name a category of the item's theatre.");
          }
          const name = changes.name ?? current.name;
          if ((changes.name !== undefined || changes.categoryId !== undefined) && (await this.venue.nameTaken('menu_items', categoryId, name, id, trx))) {
            throw appError('conflict', taken);
          }
          await this.menu.updateItem(id, changes, trx);
        }),
      taken,
    );
    this.deps.audit(who.account, 'menu_item.update', id, fields);
    const item = await this.menu.findItem(id);
    if (!item) throw appError('not_found', 'No such menu item.');
    return item;
  }
}
