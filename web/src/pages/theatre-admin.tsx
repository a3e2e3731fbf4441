import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Shell, SignedIn } from '../components/session.js';
import { api, errorText } from '../lib/api.js';
import { paiseFromRupees, rupees } from '../lib/money.js';
import type { AccountView as Account, LayoutView as Layout, MenuCategoryView as MenuCategory, TheatreView as Theatre } from '../../../src/protocol/index.js';
import { PastOrders } from './past-orders.js';
import { Problem, Said } from '../components/notes.js';
import { checkName, checkPassword, checkPrice, confirmed, useDialog } from '../components/dialog.js';
import { MenuItemEditor } from '../components/menu-item-editor.js';
import { TheatreSettingsForm } from '../components/theatre-settings-form.js';

interface StaffAccount {
  id: number;
  username: string;
  role: string;
  theatreId: number | null;
}

/** Runs a change, then reloads; shows what happened in the section's live region. */
function useChanges(reload: () => Promise<void>): { said: string; error: string; load(): void; run(what: string, change: () => Promise<unknown>): Promise<boolean> } {
  const [said, setSaid] = useState('');
  const [error, setError] = useState('');
  return {
    said,
    error,
    /** The first read: a failure is said, never shown as an empty section. */
    load() {
      setError('');
      reload().catch((err: unknown) => setError(`Could not load this: ${errorText(err)}`));
    },
    async run(what, change) {
      setError('');
      try {
        await change();
        await reload();
        setSaid(what);
        return true;
      } catch (err) {
        setError(errorText(err));
        return false;
      }
    },
  };
}

const field = (form: HTMLFormElement, name: string) => String(new FormData(form).get(name) ?? '').trim();

function Settings(props: { theatre: Theatre; onSaved(t: Theatre): void }): VNode {
  const [said, setSaid] = useState('');
  const [error, setError] = useState('');
  const t = props.theatre;
  const save = async (ev: Event) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    setError('');
    try {
      const phones = field(form, 'notificationPhones').split(/[\s,]+/).filter(Boolean);
      const { theatre } = await api<{ theatre: Theatre }>('PATCH', `/api/theatres/${t.id}`, {
        name: field(form, 'name'),
        cashEnabled: new FormData(form).get('cashEnabled') === 'on',
        orderLimit: Number(field(form, 'orderLimit')),
        serviceEndTime: field(form, 'serviceEndTime') || null,
        unseenAlertSeconds: field(form, 'unseenAlertSeconds') ? Number(field(form, 'unseenAlertSeconds')) : null,
        notificationPhones: phones,
      });
      props.onSaved(theatre);
      setSaid('Settings saved.');
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section class="card" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form class="stack" onSubmit={save}>
        <label for="t-name">Name</label>
        <input id="t-name" name="name" value={t.name} required />
        <label class="switch">
          <input type="checkbox" name="cashEnabled" checked={t.cashEnabled} /> Takes cash orders
        </label>
        <label for="t-limit">Open orders at most</label>
        <input id="t-limit" name="orderLimit" type="number" min="1" value={t.orderLimit} required />
        <label for="t-end">Service ends at</label>
        <input id="t-end" name="serviceEndTime" type="time" value={t.serviceEndTime ?? ''} />
        <label for="t-unseen">Alert when not seen after (seconds; empty: never)</label>
        <input id="t-unseen" name="unseenAlertSeconds" type="number" min="1" max="86400" value={t.unseenAlertSeconds ?? ''} />
        <label for="t-phones">WhatsApp numbers told of new orders (comma separated)</label>
        <input id="t-phones" name="notificationPhones" value={t.notificationPhones.join(', ')} />
        <button type="submit" class="primary">
          Save settings
        </button>
        <Said text={said} />
        <Problem text={error} />
      </form>
    </section>
  );
}

function LayoutSection(props: { theatreId: number }): VNode {
  const [layout, setLayout] = useState<Layout | null>(null);
  const reload = async () => setLayout(await api<Layout>('GET', `/api/theatres/${props.theatreId}/layout`));
  const c = useChanges(reload);
  const dialog = useDialog();
  useEffect(() => c.load(), [props.theatreId]);
  const add = (path: string, body: unknown, what: string) => (ev: Event) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    void c.run(what, () => api('POST', path, body instanceof Function ? body(form) : body)).then((ok) => ok && form.reset());
  };
  const rename = async (kind: 'halls' | 'rows' | 'seats', id: number, current: string) => {
    const what = kind === 'halls' ? 'hall' : kind === 'rows' ? 'row' : 'seat';
    const got = await dialog.ask({ title: `Rename ${what} ${current}`, fields: [{ name: 'name', label: 'New name', value: current, check: checkName }], confirm: 'Rename' });
    const name = got?.['name']?.trim();
    if (name) void c.run(`Renamed to ${name}.`, () => api('PATCH', `/api/${kind}/${id}`, { name }));
  };
  const remove = async (kind: 'halls' | 'rows' | 'seats', id: number, name: string) => {
    if (await confirmed(dialog.ask, { title: `Delete ${name}?`, confirm: 'Delete', danger: true })) void c.run(`${name} deleted.`, () => api('DELETE', `/api/${kind}/${id}`));
  };
  const seatNames = (f: HTMLFormElement) => ({ names: field(f, 'names').split(/[\s,]+/).filter(Boolean) });
  const named = (f: HTMLFormElement) => ({ name: field(f, 'name') });
  return (
    <section class="card layout" aria-labelledby="layout-title">
      <h2 id="layout-title">Halls, rows and seats</h2>
      <Said text={c.said} />
      <Problem text={c.error} />
      {layout === null && !c.error ? <p>Loading…</p> : null}
      {layout?.halls.map((h) => (
        <div class="hall" data-hall={h.name}>
          <h3>
            {h.name}
            <a class="small" href={`/admin/halls/${h.id}/qr?theatre=${props.theatreId}`}>
              Print QR codes
            </a>
            <button type="button" class="link small" aria-label={`Rename hall ${h.name}`} onClick={() => void rename('halls', h.id, h.name)}>
              Rename
            </button>
            <button type="button" class="link small" aria-label={`Delete hall ${h.name}`} onClick={() => void remove('halls', h.id, `hall ${h.name}`)}>
              Delete
            </button>
          </h3>
          <ul>
            {h.rows.map((r) => (
              <li data-row={r.name}>
                <strong>Row {r.name}</strong>
                <button type="button" class="link small" aria-label={`Rename row ${r.name}`} onClick={() => void rename('rows', r.id, r.name)}>
                  Rename
                </button>
                <button type="button" class="link small" aria-label={`Delete row ${r.name}`} onClick={() => void remove('rows', r.id, `row ${r.name}`)}>
                  Delete
                </button>
                <div class="seats">
                  {r.seats.map((st) => (
                    <>
                      <span class="pill seat" data-seat-id={st.id}>
                        {st.name}
                        <button type="button" class="link small" aria-label={`Delete seat ${st.name}`} onClick={() => void remove('seats', st.id, `seat ${st.name}`)}>
                          ×
                        </button>
                      </span>{' '}
                    </>
                  ))}
                </div>
                <form class="inline-form" onSubmit={add(`/api/rows/${r.id}/seats`, seatNames, 'Seats added.')}>
                  <label>
                    Add seats to row {r.name} (comma separated)
                    <input name="names" required placeholder="A3, A4" />
                  </label>
                  <button type="submit">Add seats</button>
                </form>
              </li>
            ))}
          </ul>
          <form class="inline-form" onSubmit={add(`/api/halls/${h.id}/rows`, named, 'Row added.')}>
            <label>
              New row in {h.name}
              <input name="name" required maxLength={20} />
            </label>
            <button type="submit">Add row</button>
          </form>
        </div>
      ))}
      <form class="inline-form" onSubmit={add(`/api/theatres/${props.theatreId}/halls`, named, 'Hall added.')}>
        <label>
          New hall
          <input name="name" required maxLength={60} />
        </label>
        <button type="submit" class="secondary">
          Add hall
        </button>
      </form>
      {dialog.element}
    </section>
  );
}

function MenuSection(props: { theatreId: number }): VNode {
  const [categories, setCategories] = useState<MenuCategory[] | null>(null);
  const reload = async () => setCategories((await api<{ categories: MenuCategory[] }>('GET', `/api/theatres/${props.theatreId}/menu`)).categories);
  const c = useChanges(reload);
  const dialog = useDialog();
  useEffect(() => c.load(), [props.theatreId]);
  const addItem = (categoryId: number) => (ev: Event) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    const price = paiseFromRupees(field(form, 'price'));
    if (price === null) return void c.run('', () => Promise.reject(new Error('Price must be in rupees, like 120 or 99.50.')));
    void c.run('Item added.', () =>
      api('POST', `/api/menu-categories/${categoryId}/items`, { name: field(form, 'name'), price, maxTime: Number(field(form, 'maxTime')), available: true }),
    ).then((ok) => ok && form.reset());
  };
  const editPrice = async (id: number, name: string, price: number) => {
    const got = await dialog.ask({
      title: `New price of ${name}`,
      fields: [{ name: 'price', label: 'Price in rupees (₹)', value: String(price / 100), inputMode: 'decimal', check: checkPrice }],
      confirm: 'Save price',
    });
    if (got === null) return;
    const paise = paiseFromRupees(got['price'] ?? '');
    if (paise !== null) void c.run(`${name} now costs ${rupees(paise)}.`, () => api('PATCH', `/api/menu-items/${id}`, { price: paise }));
  };
  const addCategory = (ev: Event) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    void c.run('Category added.', () => api('POST', `/api/theatres/${props.theatreId}/menu-categories`, { name: field(form, 'name') })).then((ok) => ok && form.reset());
  };
  return (
    <section class="card menu-admin" aria-labelledby="menu-title">
      <h2 id="menu-title">Menu</h2>
      <Said text={c.said} />
      <Problem text={c.error} />
      {categories?.map((cat) => (
        <div data-category={cat.name}>
          <h3>{cat.name}</h3>
          <ul>
            {cat.items.map((i) => (
              <li class="switch">
                <input
                  type="checkbox"
                  id={`adm-avail-${i.id}`}
                  checked={i.available}
                  onChange={(e) => {
                    const available = e.currentTarget.checked;
                    void c.run(`${i.name} updated.`, () => api('PATCH', `/api/menu-items/${i.id}`, { available }));
                  }}
                />
                <label for={`adm-avail-${i.id}`}>{i.name} available</label>
                <span>
                  {rupees(i.price)} · {i.maxTime} min
                </span>
                <button type="button" class="link small" aria-label={`Change price of ${i.name}`} onClick={() => void editPrice(i.id, i.name, i.price)}>
                  Price
                </button>
                <MenuItemEditor item={i} onChanged={() => void reload().catch(() => undefined)} />
              </li>
            ))}
          </ul>
          <form class="inline-form" onSubmit={addItem(cat.id)}>
            <label>
              Item
              <input name="name" required maxLength={100} />
            </label>
            <label>
              Price (₹)
              <input name="price" inputMode="decimal" required pattern="\d+(\.\d{1,2})?" />
            </label>
            <label>
              Minutes
              <input name="maxTime" type="number" min="1" max="120" value="10" required />
            </label>
            <button type="submit">Add to {cat.name}</button>
          </form>
        </div>
      ))}
      <form class="inline-form" onSubmit={addCategory}>
        <label>
          New category
          <input name="name" required maxLength={60} />
        </label>
        <button type="submit" class="secondary">
          Add category
        </button>
      </form>
      {dialog.element}
    </section>
  );
}

function StaffSection(props: { theatreId: number }): VNode {
  const [staff, setStaff] = useState<StaffAccount[] | null>(null);
  const reload = async () => setStaff((await api<{ staff?: StaffAccount[]; accounts?: StaffAccount[] }>('GET', `/api/theatres/${props.theatreId}/staff`)).staff ?? []);
  const c = useChanges(reload);
  const dialog = useDialog();
  useEffect(() => c.load(), [props.theatreId]);
  const addStaff = (ev: Event) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    void c
      .run('Staff account added.', () => api('POST', `/api/theatres/${props.theatreId}/staff`, { username: field(form, 'username'), password: field(form, 'password') }))
      .then((ok) => ok && form.reset());
  };
  const newPassword = async (s: StaffAccount) => {
    const got = await dialog.ask({
      title: `New password for ${s.username}`,
      fields: [{ name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', check: checkPassword }],
      confirm: 'Change password',
    });
    const password = got?.['password'];
    if (password) void c.run('Password changed.', () => api('PATCH', `/api/accounts/${s.id}`, { password }));
  };
  const removeStaff = async (s: StaffAccount) => {
    if (await confirmed(dialog.ask, { title: `Remove ${s.username}?`, confirm: 'Remove', danger: true })) void c.run(`${s.username} removed.`, () => api('DELETE', `/api/accounts/${s.id}`));
  };
  return (
    <section class="card" aria-labelledby="staff-title">
      <h2 id="staff-title">Staff</h2>
      <Said text={c.said} />
      <Problem text={c.error} />
      <ul>
        {staff?.map((s) => (
          <li>
            {s.username}
            <button type="button" class="link small" aria-label={`New password for ${s.username}`} onClick={() => void newPassword(s)}>
              Password
            </button>
            <button type="button" class="link small" aria-label={`Remove ${s.username}`} onClick={() => void removeStaff(s)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form class="inline-form" onSubmit={addStaff}>
        <label>
          Username
          <input name="username" required autocomplete="off" />
        </label>
        <label>
          Password
          <input name="password" type="password" required minLength={10} autocomplete="new-password" />
        </label>
        <button type="submit">Add staff</button>
      </form>
      {dialog.element}
    </section>
  );
}

function TheatreAdmin(props: { account: Account; theatreId: number }): VNode {
  const [theatre, setTheatre] = useState<Theatre | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<{ theatre: Theatre }>('GET', `/api/theatres/${props.theatreId}`)
      .then((r) => setTheatre(r.theatre))
      .catch((err: unknown) => setError(errorText(err)));
  }, [props.theatreId]);
  return (
    <Shell account={props.account} title={theatre?.name ?? `Theatre ${props.theatreId}`}>
      <p>
        <a href="/admin">← All theatres</a>
      </p>
      <Problem text={error} />
      <div class="grid-2">
        {theatre ? <Settings theatre={theatre} onSaved={setTheatre} /> : null}
        {theatre ? <TheatreSettingsForm theatre={theatre} onSaved={setTheatre} /> : null}
        <LayoutSection theatreId={props.theatreId} />
        <MenuSection theatreId={props.theatreId} />
        <StaffSection theatreId={props.theatreId} />
      </div>
      <section aria-labelledby="past-title">
        <h2 id="past-title">Orders</h2>
        <PastOrders theatreId={props.theatreId} />
      </section>
    </Shell>
  );
}

/** `/admin/theatres/<id>`: settings, layout, menu, staff and orders of one theatre. */
export function TheatreAdminPage(props: { theatreId: number }): VNode {
  return (
    <SignedIn heading="Admin sign in" adminOnly={true}>
      {(account: Account) => <TheatreAdmin account={account} theatreId={props.theatreId} />}
    </SignedIn>
  );
}
