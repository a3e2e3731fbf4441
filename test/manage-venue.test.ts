import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './support/test-app.js';
import { DEFAULT_SETTINGS } from '../src/theatres/settings.js';
import { ApiClient, startVenueWorld, type Venue } from './support/venue.js';

describe('theatre and layout management over HTTP', () => {
  let t: TestApp, v: Venue, staff1: ApiClient, staff2: ApiClient, admin: ApiClient;
  const guest = () => new ApiClient(t);

  beforeAll(async () => {
    ({ t, v, staff1, staff2, admin } = await startVenueWorld());
  });
  afterAll(() => t.close());

  it('lists every theatre to admins and only their own to staff; 401 without a session', async () => {
    const all = await admin.call('GET', '/api/theatres');
    expect(all.status).toBe(200);
    expect(all.body.theatres.map((x: any) => x.name)).toEqual(['Galaxy Cinemas', 'Regal Talkies']);
    const own = await staff1.call('GET', '/api/theatres');
    expect(own.body).toEqual({
      theatres: [{ id: v.theatre1.id, name: 'Galaxy Cinemas', cashEnabled: true, orderLimit: 100, serviceEndTime: null, unseenAlertSeconds: null, notificationPhones: [], ...DEFAULT_SETTINGS }],
    });
    expect((await guest().call('GET', '/api/theatres')).status).toBe(401);
    expect((await staff2.call('GET', `/api/theatres/${v.theatre1.id}`)).status).toBe(404);
    expect((await staff1.call('GET', `/api/theatres/${v.theatre1.id}`)).body.theatre.name).toBe('Galaxy Cinemas');
  });

  it('admins create a theatre (201) with normalised phones; a duplicate name is 409', async () => {
    const body = { name: 'PVR Orion', cashEnabled: false, orderLimit: 25, serviceEndTime: '23:30', unseenAlertSeconds: 120, notificationPhones: ['98765 43210'] };
    const r = await admin.call('POST', '/api/theatres', body);
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ theatre: { id: expect.any(Number), ...DEFAULT_SETTINGS, ...body, notificationPhones: ['+919876543210'] } });
    const dup = await admin.call('POST', '/api/theatres', { name: 'PVR Orion', cashEnabled: true, orderLimit: 1 });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('conflict');
    const minimal = await admin.call('POST', '/api/theatres', { name: 'INOX', cashEnabled: true, orderLimit: 5 });
    expect(minimal.body.theatre).toMatchObject({ serviceEndTime: null, unseenAlertSeconds: null, notificationPhones: [] });
  });

  it('validates theatres: 400 validation_failed for bad fields', async () => {
    const ok = { name: 'Valid', cashEnabled: true, orderLimit: 5 };
    for (const bad of [{}, { ...ok, name: '' }, { ...ok, orderLimit: 0 }, { ...ok, cashEnabled: 'yes' }, { ...ok, serviceEndTime: '25:00' }, { ...ok, notificationPhones: ['call me'] }, { ...ok, extra: 1 }]) {
      const r = await admin.call('POST', '/api/theatres', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
  });

  it('admins patch any subset of a theatre; staff get 403 on their own and 404 on another; renaming onto a taken name is 409', async () => {
    const r = await admin.call('PATCH', `/api/theatres/${v.theatre2.id}`, { cashEnabled: true, unseenAlertSeconds: null });
    expect(r.status).toBe(200);
    expect(r.body.theatre).toMatchObject({ id: v.theatre2.id, name: 'Regal Talkies', cashEnabled: true, orderLimit: 10 });
    const seat = await guest().call('GET', `/api/seats/${v.seat2}`);
    expect(seat.body.theatre.cashEnabled).toBe(true);
    expect((await admin.call('PATCH', `/api/theatres/${v.theatre2.id}`, { name: 'Galaxy Cinemas' })).status).toBe(409);
    const own = await staff1.call('PATCH', `/api/theatres/${v.theatre1.id}`, { orderLimit: 1 });
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('forbidden');
    expect((await staff1.call('PATCH', `/api/theatres/${v.theatre2.id}`, { orderLimit: 1 })).status).toBe(404);
    expect((await staff1.call('POST', '/api/theatres', { name: 'Mine', cashEnabled: true, orderLimit: 5 })).status).toBe(403);
    expect((await admin.call('PATCH', '/api/theatres/999999', { orderLimit: 1 })).status).toBe(404);
    expect((await guest().call('PATCH', `/api/theatres/${v.theatre1.id}`, { orderLimit: 1 })).status).toBe(401);
  });

  it('shows the layout to staff of the theatre and admins; 404 to other staff', async () => {
    const r = await staff1.call('GET', `/api/theatres/${v.theatre1.id}/layout`);
    const h = v.theatre1.halls;
    expect(r.body).toEqual({
      halls: h.map((hall) => ({ id: hall.id, name: hall.name, rows: hall.rows.map((row) => ({ id: row.id, name: row.name, seats: row.seats })) })),
    });
    expect((await admin.call('GET', `/api/theatres/${v.theatre1.id}/layout`)).status).toBe(200);
    expect((await staff2.call('GET', `/api/theatres/${v.theatre1.id}/layout`)).status).toBe(404);
    expect((await guest().call('GET', `/api/theatres/${v.theatre1.id}/layout`)).status).toBe(401);
  });

  it('admins build a hall, a row and seats, rename them, and delete them when empty', async () => {
    const hall = await admin.call('POST', `/api/theatres/${v.theatre1.id}/halls`, { name: 'Audi 3' });
    expect(hall.status).toBe(201);
    expect(hall.body).toEqual({ hall: { id: expect.any(Number), name: 'Audi 3' } });
    const hallId = hall.body.hall.id as number;
    const row = await admin.call('POST', `/api/halls/${hallId}/rows`, { name: 'D' });
    expect(row.status).toBe(201);
    expect(row.body).toEqual({ row: { id: expect.any(Number), name: 'D' } });
    const rowId = row.body.row.id as number;
    const seats = await admin.call('POST', `/api/rows/${rowId}/seats`, { names: ['D1', 'D2', 'D3'] });
    expect(seats.status).toBe(201);
    expect(seats.body.seats.map((s: any) => s.name)).toEqual(['D1', 'D2', 'D3']);
    const [d1, d2, d3] = seats.body.seats.map((s: any) => s.id as number);

    // A new seat works for guests at once.
    expect((await guest().call('GET', `/api/seats/${d1}`)).body).toMatchObject({ seat: { id: d1, name: 'D1' }, row: { name: 'D' }, hall: { name: 'Audi 3' } });

    expect((await admin.call('PATCH', `/api/halls/${hallId}`, { name: 'Audi 3 IMAX' })).body).toEqual({ hall: { id: hallId, name: 'Audi 3 IMAX' } });
    expect((await admin.call('PATCH', `/api/rows/${rowId}`, { name: 'DD' })).body).toEqual({ row: { id: rowId, name: 'DD' } });
    expect((await admin.call('PATCH', `/api/seats/${d3}`, { name: 'D4' })).body).toEqual({ seat: { id: d3, name: 'D4' } });

    expect((await admin.call('DELETE', `/api/halls/${hallId}`)).status).toBe(409);
    expect((await admin.call('DELETE', `/api/rows/${rowId}`)).status).toBe(409);
    for (const id of [d1, d2, d3]) expect((await admin.call('DELETE', `/api/seats/${id}`)).status).toBe(204);
    expect((await guest().call('GET', `/api/seats/${d1}`)).status).toBe(404);
    expect((await admin.call('DELETE', `/api/rows/${rowId}`)).status).toBe(204);
    expect((await admin.call('DELETE', `/api/halls/${hallId}`)).status).toBe(204);
    expect((await admin.call('DELETE', `/api/halls/${hallId}`)).status).toBe(404);
  });

  it('refuses duplicate names within a parent (409) but not across parents', async () => {
    const [audi1, audi2] = v.theatre1.halls;
    expect((await admin.call('POST', `/api/theatres/${v.theatre1.id}/halls`, { name: 'Audi 1' })).status).toBe(409);
    expect((await admin.call('PATCH', `/api/halls/${audi2!.id}`, { name: 'Audi 1' })).status).toBe(409);
    expect((await admin.call('POST', `/api/halls/${audi1!.id}/rows`, { name: 'A' })).status).toBe(409);
    expect((await admin.call('PATCH', `/api/rows/${audi1!.rows[1]!.id}`, { name: 'A' })).status).toBe(409);
    const rowA = audi1!.rows[0]!;
    const dupSeat = await admin.call('POST', `/api/rows/${rowA.id}/seats`, { names: ['A3', 'A1'] });
    expect(dupSeat.status).toBe(409);
    expect(dupSeat.body.error.code).toBe('conflict');
    // All or nothing: A3 was not created either.
    const layout = await admin.call('GET', `/api/theatres/${v.theatre1.id}/layout`);
    expect(layout.body.halls[0].rows[0].seats.map((s: any) => s.name)).toEqual(['A1', 'A2']);
    expect((await admin.call('PATCH', `/api/seats/${rowA.seats[1]!.id}`, { name: 'A1' })).status).toBe(409);
    // Row "A" in another hall is fine.
    const other = await admin.call('POST', `/api/halls/${audi2!.id}/rows`, { name: 'A' });
    expect(other.status).toBe(201);
    expect((await admin.call('DELETE', `/api/rows/${other.body.row.id}`)).status).toBe(204);
  });

  it('refuses to delete a seat that has orders (409)', async () => {
    const order = await guest().call('POST', '/api/orders', {
      seatId: v.seat1,
      items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }],
      phone: '9876543210',
      paymentMethod: 'cash',
    });
    expect(order.status).toBe(201);
    const r = await admin.call('DELETE', `/api/seats/${v.seat1}`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('conflict');
  });

  it('refuses layout changes to staff (403 own theatre, 404 other) and validates names (400)', async () => {
    const hall = v.theatre1.halls[0]!;
    const row = hall.rows[0]!;
    const seat = row.seats[1]!;
    const calls: Array<[string, string, unknown]> = [
      ['POST', `/api/theatres/${v.theatre1.id}/halls`, { name: 'X' }],
      ['PATCH', `/api/halls/${hall.id}`, { name: 'X' }],
      ['DELETE', `/api/halls/${hall.id}`, undefined],
      ['POST', `/api/halls/${hall.id}/rows`, { name: 'X' }],
      ['PATCH', `/api/rows/${row.id}`, { name: 'X' }],
      ['DELETE', `/api/rows/${row.id}`, undefined],
      ['POST', `/api/rows/${row.id}/seats`, { names: ['X1'] }],
      ['PATCH', `/api/seats/${seat.id}`, { name: 'X' }],
      ['DELETE', `/api/seats/${seat.id}`, undefined],
    ];
    for (const [method, path, body] of calls) {
      expect((await staff1.call(method, path, body)).status, `${method} ${path}`).toBe(403);
      expect((await staff2.call(method, path, body)).status, `${method} ${path}`).toBe(404);
      expect((await guest().call(method, path, body)).status, `${method} ${path}`).toBe(401);
    }
    for (const [path, body] of [
      [`/api/theatres/${v.theatre1.id}/halls`, { name: ' ' }],
      [`/api/halls/${hall.id}/rows`, { name: 'x'.repeat(101) }],
      [`/api/rows/${row.id}/seats`, { names: [] }],
      [`/api/rows/${row.id}/seats`, { names: ['Z1', 'Z1'] }],
      [`/api/rows/${row.id}/seats`, { name: 'Z1' }],
    ] as const) {
      const r = await admin.call('POST', path, body);
      expect(r.status, path).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
    expect((await admin.call('POST', '/api/halls/999999/rows', { name: 'X' })).status).toBe(404);
    expect((await admin.call('PATCH', '/api/seats/abc', { name: 'X' })).status).toBe(404);
  });
});
