import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { TheatreStaffPage } from '../components/session.js';
import { api, errorText } from '../lib/api.js';
import { rupees } from '../lib/money.js';
import type { MenuCategoryView as MenuCategory, MenuItemView as MenuItem } from '../../../src/protocol/index.js';
import { Problem, Said } from '../components/notes.js';

/** Switches menu items on and off: an item switched off disappears from guests' menus at once. */
export function MenuToggles(props: { theatreId: number }): VNode {
  const [categories, setCategories] = useState<MenuCategory[] | null>(null);
  const [error, setError] = useState('');
  const [said, setSaid] = useState('');
  useEffect(() => {
    api<{ categories: MenuCategory[] }>('GET', `/api/theatres/${props.theatreId}/menu`)
      .then((r) => setCategories(r.categories))
      .catch((err: unknown) => setError(errorText(err)));
  }, [props.theatreId]);
  const toggle = async (item: MenuItem, available: boolean) => {
    setError('');
    try {
      const { item: updated } = await api<{ item: MenuItem }>('PATCH', `/api/menu-items/${item.id}`, { available });
      setCategories((cs) => cs?.map((c) => ({ ...c, items: c.items.map((i) => (i.id === updated.id ? updated : i)) })) ?? null);
      setSaid(`${updated.name} is now ${updated.available ? 'available' : 'unavailable'}.`);
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (!categories) {
    return (
      <p role={error ? 'alert' : 'status'} class={error ? 'error' : ''}>
        {error || 'Loading the menu…'}
      </p>
    );
  }
  return (
    <div>
      <Said text={said} />
      <Problem text={error} />
      <div class="grid-2">
        {categories.map((c) => (
          <section class="card" aria-labelledby={`mc-${c.id}`}>
            <h2 id={`mc-${c.id}`}>{c.name}</h2>
            <ul class="menu-list">
              {c.items.map((i) => (
                <li class="menu-item" data-item={i.name}>
                  <label class="switch" for={`avail-${i.id}`}>
                    <input type="checkbox" id={`avail-${i.id}`} checked={i.available} onChange={(e) => void toggle(i, e.currentTarget.checked)} />
                    <span>{i.name}</span>
                  </label>
                  <span class="price">{rupees(i.price)}</span>
                  <span class={`pill ${i.available ? 'online' : 'offline'}`}>{i.available ? 'Available' : 'Off'}</span>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </div>
  );
}

/** `/staff/menu`. */
export function MenuPage(): VNode {
  return (
    <TheatreStaffPage title="Menu availability" adminNote="Admins change menus on each theatre's page.">
      {(theatreId) => <MenuToggles theatreId={theatreId} />}
    </TheatreStaffPage>
  );
}
