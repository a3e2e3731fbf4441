import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './support/test-app.js';
import { ApiClient, startVenueWorld, type Venue } from './support/venue.js';

describe('staff account management over HTTP', () => {
  let t: TestApp, v: Venue, staff1: ApiClient, staff2: ApiClient, admin: ApiClient;
  const guest = () => new ApiClient(t);

  beforeAll(async () => {
    ({ t, v, staff1, staff2, admin } = await startVenueWorld());
  });
  afterAll(() => t.close());

  it('lists a theatre’s staff to admins; staff get 403 on their own theatre, 404 on another', async () => {
    const r = await admin.call('GET', `/api/theatres/${v.theatre1.id}/staff`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ staff: [{ id: v.theatre1.staff[0]!.id, username: 'galaxy-staff' }] });
    expect((await staff1.call('GET', `/api/theatres/${v.theatre1.id}/staff`)).status).toBe(403);
    expect((await staff2.call('GET', `/api/theatres/${v.theatre1.id}/staff`)).status).toBe(404);
    expect((await guest().call('GET', `/api/theatres/${v.theatre1.id}/staff`)).status).toBe(401);
    expect((await admin.call('GET', '/api/theatres/999999/staff')).status).toBe(404);
  });

  it('admins create staff who can log in; never a password hash in any answer; duplicate username 409', async () => {
    const r = await admin.call('POST', `/api/theatres/${v.theatre1.id}/staff`, { username: 'galaxy-night', password: 'night-shift-pass' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ account: { id: expect.any(Number), username: 'galaxy-night', role: 'staff', theatreId: v.theatre1.id } });
    const night = await ApiClient.login(t, { username: 'galaxy-night', password: 'night-shift-pass' });
    expect((await night.call('GET', '/api/auth/me')).body.account.theatreId).toBe(v.theatre1.id);
    // Usernames are unique across all theatres.
    const dup = await admin.call('POST', `/api/theatres/${v.theatre2.id}/staff`, { username: 'galaxy-night', password: 'another-password' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('conflict');
    const list = await admin.call('GET', `/api/theatres/${v.theatre1.id}/staff`);
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|password/i);
    expect(t.logLines.join('\n')).not.toContain('night-shift-pass');
  });

  it('validates new staff: a password under 10 characters, an empty username, extra fields are 400', async () => {
    for (const body of [{ username: 'x1', password: 'short' }, { username: ' ', password: 'long-enough-1' }, { username: 'x2' }, { username: 'x3', password: 'long-enough-1', role: 'admin' }]) {
      const r = await admin.call('POST', `/api/theatres/${v.theatre1.id}/staff`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
    expect((await staff1.call('POST', `/api/theatres/${v.theatre1.id}/staff`, { username: 'sneaky', password: 'long-enough-1' })).status).toBe(403);
    expect((await staff2.call('POST', `/api/theatres/${v.theatre1.id}/staff`, { username: 'sneaky', password: 'long-enough-1' })).status).toBe(404);
  });

  it('an admin resets a staff password: the old one stops working and their sessions end', async () => {
    const created = await admin.call('POST', `/api/theatres/${v.theatre1.id}/staff`, { username: 'galaxy-temp', password: 'first-password' });
    const id = created.body.account.id as number;
    const session = await ApiClient.login(t, { username: 'galaxy-temp', password: 'first-password' });
    const r = await admin.call('PATCH', `/api/accounts/${id}`, { password: 'second-password' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ account: { id, username: 'galaxy-temp', role: 'staff', theatreId: v.theatre1.id } });
    expect((await session.call('GET', '/api/auth/me')).status).toBe(401);
    expect((await guest().call('POST', '/api/auth/login', { username: 'galaxy-temp', password: 'first-password' })).status).toBe(401);
    await ApiClient.login(t, { username: 'galaxy-temp', password: 'second-password' });
    expect(t.logLines.join('\n')).not.toContain('second-password');
    const audit = t.logLines.map((l) => JSON.parse(l)).find((l) => l.audit && l.action === 'account.password_reset');
    expect(audit).toMatchObject({ id, by: { username: 'root', role: 'admin' } });

    expect((await admin.call('PATCH', `/api/accounts/${id}`, { password: 'short' })).status).toBe(400);
    expect((await staff1.call('PATCH', `/api/accounts/${id}`, { password: 'staff-tries-this' })).status).toBe(403);
    expect((await staff2.call('PATCH', `/api/accounts/${id}`, { password: 'staff-tries-this' })).status).toBe(404);
    // Staff cannot see admin accounts at all.
    expect((await staff1.call('PATCH', `/api/accounts/${v.seeded.admins[0]!.id}`, { password: 'staff-tries-this' })).status).toBe(404);
    expect((await guest().call('PATCH', `/api/accounts/${id}`, { password: 'guest-tries-this' })).status).toBe(401);
    expect((await admin.call('PATCH', '/api/accounts/999999', { password: 'long-enough-1' })).status).toBe(404);
  });

  it('an admin deletes a staff account and its sessions; staff cannot; admins cannot delete themselves', async () => {
    const created = await admin.call('POST', `/api/theatres/${v.theatre1.id}/staff`, { username: 'galaxy-leaver', password: 'leaving-soon-1' });
    const id = created.body.account.id as number;
    const session = await ApiClient.login(t, { username: 'galaxy-leaver', password: 'leaving-soon-1' });
    expect((await staff1.call('DELETE', `/api/accounts/${id}`)).status).toBe(403);
    expect((await staff2.call('DELETE', `/api/accounts/${id}`)).status).toBe(404);
    expect((await guest().call('DELETE', `/api/accounts/${id}`)).status).toBe(401);
    expect((await admin.call('DELETE', `/api/accounts/${id}`)).status).toBe(204);
    expect((await session.call('GET', '/api/auth/me')).status).toBe(401);
    expect((await admin.call('DELETE', `/api/accounts/${id}`)).status).toBe(404);
    const self = await admin.call('DELETE', `/api/accounts/${v.seeded.admins[0]!.id}`);
    expect(self.status).toBe(409);
    expect(self.body.error.code).toBe('conflict');
    const list = await admin.call('GET', `/api/theatres/${v.theatre1.id}/staff`);
    expect(list.body.staff.map((s: any) => s.username)).not.toContain('galaxy-leaver');
  });
});
