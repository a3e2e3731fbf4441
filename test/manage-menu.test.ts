import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './support/test-app.js';
import { ApiClient, startVenueWorld, type Venue } from './support/venue.js';


/** An item without SPEC §6 extras: no description, the default veg mark, no photo. */
const unmarked = { description: null, foodType: 'veg', imageUrl: null } as const;
describe('menu management over HTTP', () => {
  let t: TestApp, v: Venue, staff1: ApiClient, staff2: ApiClient, admin: ApiClient;
  const guest = () => new ApiClient(t);

  beforeAll(async () => {
    ({ t, v, staff1, staff2, admin } = await startVenueWorld());
  });
  afterAll(() => t.close());

  const seatItem = async (name: string) => {
    const seat = await guest().call('GET', `/api/seats/${v.seat1}`);
    return seat.body.menu.flatMap((c: any) => c.items).find((i: any) => i.name === name);
  };

  it('staff switch an item off and on; the guest seat page follows at once', async () => {
    const id = v.item(v.theatre1, 'Veg Samosa');
    const off = await staff1.call('PATCH', `/api/menu-items/${id}`, { available: false });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ item: { id, categoryId: v.theatre1.menu[0]!.id, name: 'Veg Samosa', price: 8000, maxTime: 10, available: false, ...unmarked, sortOrder: expect.any(Number) } });
    expect((await seatItem('Veg Samosa')).available).toBe(false);
    const order = await guest().call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: id, quantity: 1 }], phone: '9876543210', paymentMethod: 'cash' });
    expect(order.status).toBe(422);
    expect(order.body.error.code).toBe('item_unavailable');
    expect((await staff1.call('PATCH', `/api/menu-items/${id}`, { available: true })).body.item.available).toBe(true);
    expect((await seatItem('Veg Samosa')).available).toBe(true);
  });

  it('staff may change nothing but availability (403); other theatres answer 404; no session 401', async () => {
    const id = v.item(v.theatre1, 'Masala Chai');
    const price = await staff1.call('PATCH', `/api/menu-items/${id}`, { available: true, price: 1 });
    expect(price.status).toBe(403);
    expect(price.body.error.code).toBe('forbidden');
    const other = await staff2.call('PATCH', `/api/menu-items/${id}`, { available: false });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    expect((await guest().call('PATCH', `/api/menu-items/${id}`, { available: false })).status).toBe(401);
    expect((await staff1.call('PATCH', '/api/menu-items/999999', { available: false })).status).toBe(404);
    expect((await seatItem('Masala Chai'))).toMatchObject({ price: 6000, available: true });
  });

  it('admins edit any field; moving to a category of another theatre is 422; a duplicate name 409', async () => {
    const id = v.item(v.theatre1, 'Masala Chai');
    const snacks = v.theatre1.menu[0]!.id;
    const r = await admin.call('PATCH', `/api/menu-items/${id}`, { name: 'Ginger Chai', price: 7000, maxTime: 4 });
    expect(r.body).toEqual({ item: { id, categoryId: v.theatre1.menu[1]!.id, name: 'Ginger Chai', price: 7000, maxTime: 4, available: true, ...unmarked, sortOrder: expect.any(Number) } });
    expect(await seatItem('Ginger Chai')).toMatchObject({ price: 7000, maxTime: 4 });
    const foreign = await admin.call('PATCH', `/api/menu-items/${id}`, { categoryId: v.theatre2.menu[0]!.id });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.code).toBe('unprocessable');
    const dup = await admin.call('PATCH', `/api/menu-items/${id}`, { categoryId: snacks, name: 'Veg Samosa' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('conflict');
    expect((await admin.call('PATCH', `/api/menu-items/${id}`, { categoryId: snacks })).body.item.categoryId).toBe(snacks);
  });

  it('validates item edits: bad price, maxTime, unknown field, wrong type are 400', async () => {
    const id = v.item(v.theatre1, 'Salted Popcorn');
    for (const body of [{ price: 0 }, { price: 10_000_001 }, { price: 1.5 }, { maxTime: 0 }, { maxTime: 241 }, { available: 'yes' }, { colour: 'red' }, { name: '  ' }]) {
      const r = await admin.call('PATCH', `/api/menu-items/${id}`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
  });

  it('lists the whole menu, unavailable items included, to staff of the theatre and admins only', async () => {
    const r = await staff1.call('GET', `/api/theatres/${v.theatre1.id}/menu`);
    expect(r.status).toBe(200);
    expect(r.body.categories.map((c: any) => c.name)).toEqual(['Snacks', 'Drinks']);
    expect(r.body.categories[0].items.find((i: any) => i.name === 'Nachos')).toEqual({
      id: v.item(v.theatre1, 'Nachos'),
      categoryId: v.theatre1.menu[0]!.id,
      name: 'Nachos',
      price: 18000,
      maxTime: 8,
      available: false,
      ...unmarked,
      sortOrder: expect.any(Number),
    });
    expect((await admin.call('GET', `/api/theatres/${v.theatre2.id}/menu`)).status).toBe(200);
    expect((await staff2.call('GET', `/api/theatres/${v.theatre1.id}/menu`)).status).toBe(404);
    expect((await guest().call('GET', `/api/theatres/${v.theatre1.id}/menu`)).status).toBe(401);
    expect((await admin.call('GET', '/api/theatres/999999/menu')).status).toBe(404);
  });

  it('admins add categories and items at the end of the menu; names are unique within their parent', async () => {
    const cat = await admin.call('POST', `/api/theatres/${v.theatre1.id}/menu-categories`, { name: '  Desserts ' });
    expect(cat.status).toBe(201);
    expect(cat.body).toEqual({ category: { id: expect.any(Number), name: 'Desserts' } });
    const catId = cat.body.category.id as number;
    expect((await admin.call('POST', `/api/theatres/${v.theatre1.id}/menu-categories`, { name: 'Desserts' })).status).toBe(409);
    // The same name in another theatre is fine.
    expect((await admin.call('POST', `/api/theatres/${v.theatre2.id}/menu-categories`, { name: 'Desserts' })).status).toBe(201);

    const item = await admin.call('POST', `/api/menu-categories/${catId}/items`, { name: 'Kulfi', price: 9000, maxTime: 2, available: true });
    expect(item.status).toBe(201);
    expect(item.body).toEqual({ item: { id: expect.any(Number), categoryId: catId, name: 'Kulfi', price: 9000, maxTime: 2, available: true, ...unmarked, sortOrder: 0 } });
    // SPEC §6 fields: given ones are stored; the next item still goes to the end.
    const marked = await admin.call('POST', `/api/menu-categories/${catId}/items`, { name: 'Egg Pudding', price: 9000, maxTime: 2, available: true, description: 'Caramel custard', foodType: 'egg' });
    expect(marked.body.item).toMatchObject({ description: 'Caramel custard', foodType: 'egg', imageUrl: null, sortOrder: 1 });
    expect((await admin.call('POST', `/api/menu-categories/${catId}/items`, { name: 'X', price: 1, maxTime: 1, available: true, foodType: 'fish' })).status).toBe(400);
    expect((await admin.call('POST', `/api/menu-categories/${catId}/items`, { name: 'Y', price: 1, maxTime: 1, available: true, description: 'x'.repeat(301) })).status).toBe(400);
    const dup = await admin.call('POST', `/api/menu-categories/${catId}/items`, { name: 'Kulfi', price: 9000, maxTime: 2, available: true });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('conflict');

    const seat = await guest().call('GET', `/api/seats/${v.seat1}`);
    expect(seat.body.menu.at(-1)).toMatchObject({ id: catId, category: 'Desserts', items: [{ name: 'Kulfi', price: 9000 }, { name: 'Egg Pudding', foodType: 'egg', description: 'Caramel custard' }] });

    const renamed = await admin.call('PATCH', `/api/menu-categories/${catId}`, { name: 'Sweets' });
    expect(renamed.body).toEqual({ category: { id: catId, name: 'Sweets' } });
    expect((await admin.call('PATCH', `/api/menu-categories/${catId}`, { name: 'Snacks' })).status).toBe(409);
  });

  it('refuses menu editing to staff: 403 on their theatre, 404 elsewhere; validates new items', async () => {
    const snacks = v.theatre1.menu[0]!.id;
    const item = { name: 'Fries', price: 10000, maxTime: 5, available: true };
    expect((await staff1.call('POST', `/api/theatres/${v.theatre1.id}/menu-categories`, { name: 'X' })).status).toBe(403);
    expect((await staff2.call('POST', `/api/theatres/${v.theatre1.id}/menu-categories`, { name: 'X' })).status).toBe(404);
    expect((await staff1.call('PATCH', `/api/menu-categories/${snacks}`, { name: 'X' })).status).toBe(403);
    expect((await staff2.call('PATCH', `/api/menu-categories/${snacks}`, { name: 'X' })).status).toBe(404);
    expect((await staff1.call('POST', `/api/menu-categories/${snacks}/items`, item)).status).toBe(403);
    expect((await staff2.call('POST', `/api/menu-categories/${snacks}/items`, item)).status).toBe(404);
    expect((await guest().call('POST', `/api/menu-categories/${snacks}/items`, item)).status).toBe(401);
    for (const bad of [{ ...item, price: 0 }, { ...item, maxTime: 241 }, { name: 'Fries' }, { ...item, name: 'x'.repeat(101) }]) {
      const r = await admin.call('POST', `/api/menu-categories/${snacks}/items`, bad);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
  });

  it('refuses a cookie change from a foreign origin (403) and changes nothing', async () => {
    const id = v.item(v.theatre1, 'Salted Popcorn');
    const r = await admin.call('PATCH', `/api/menu-items/${id}`, { available: false }, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
    expect((await seatItem('Salted Popcorn')).available).toBe(true);
  });

  it('logs each change with who, what and which id', async () => {
    const id = v.item(v.theatre1, 'Salted Popcorn');
    await staff1.call('PATCH', `/api/menu-items/${id}`, { available: true });
    const line = t.logLines.map((l) => JSON.parse(l)).reverse().find((l) => l.audit && l.action === 'menu_item.update' && l.by.username === 'galaxy-staff');
    expect(line).toMatchObject({ audit: true, action: 'menu_item.update', id, fields: ['available'], by: { username: 'galaxy-staff', role: 'staff' } });
  });
});
