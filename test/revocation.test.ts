import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './support/test-app.js';
import { ApiClient, LOGINS, startVenueWorld, type Venue } from './support/venue.js';
import { connectOpen, connectRefused, type TestSocket } from './support/ws-client.js';

const LIVE = '/ws/all-seat-datasocket/';
const CHAT = '/ws/chat-socket/';

/**
 * Revocation (issue 10 #7): what a revoked session opened closes with 4003 within a second, and
 * what it minted is refused at the upgrade. One process here; test/multi-process.test.ts checks
 * the same across processes through Redis.
 */
describe('revoking an account or a session ends its sockets and tickets', () => {
  let t: TestApp, v: Venue, admin: ApiClient;
  const open: TestSocket[] = [];
  const keep = (s: TestSocket) => (open.push(s), s);

  beforeAll(async () => {
    ({ t, v, admin } = await startVenueWorld());
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t.close();
  });

  /** A fresh staff account of theatre 1, logged in `sessions` times. */
  const newStaff = async (sessions = 1) => {
    const login = { username: `s-${randomUUID().slice(0, 8)}`, password: randomUUID() };
    const created = await admin.call('POST', `/api/theatres/${v.theatre1.id}/staff`, login);
    expect(created.status).toBe(201);
    const clients = await Promise.all(Array.from({ length: sessions }, () => ApiClient.login(t, login)));
    return { id: created.body.account.id as number, login, clients };
  };
  const socketsOf = async (c: ApiClient) => {
    const live = keep(await connectOpen(t.ws(`${LIVE}?ticket=${await c.ticket('live-orders')}`)));
    const chat = keep(await connectOpen(t.ws(`${CHAT}?ticket=${await c.ticket('chat')}`)));
    await Promise.all([live.next('snapshot'), chat.next('snapshot')]);
    return [live, chat];
  };
  const closedWithin = async (s: TestSocket, ms: number) => {
    const started = Date.now();
    const closed = await s.waitClose(ms + 500);
    return { code: closed.code, afterMs: Date.now() - started };
  };
  const bystanders = async () => {
    const key = keep(await connectOpen(t.ws(`${LIVE}?key=${t.keys.liveOrders}`)));
    const other = await newStaff();
    const [otherLive] = await socketsOf(other.clients[0]!);
    await key.next('snapshot');
    return [key, otherLive!];
  };
  const stillOpen = async (sockets: TestSocket[]) => {
    for (const s of sockets) {
      const from = s.messages.length;
      s.send({ type: 'ping' });
      await s.next('pong', 2000, from);
      expect(s.closed).toBeNull();
    }
  };

  it('an admin deleting an account closes its sockets with 4003 within a second and refuses its unspent tickets', async () => {
    const staff = await newStaff();
    const sockets = await socketsOf(staff.clients[0]!);
    const unspent = await staff.clients[0]!.ticket('live-orders');
    const others = await bystanders();
    expect((await admin.call('DELETE', `/api/accounts/${staff.id}`)).status).toBe(204);
    for (const s of sockets) {
      const closed = await closedWithin(s, 1000);
      expect(closed.code).toBe(4003);
      expect(closed.afterMs).toBeLessThan(1000);
    }
    const r = await connectRefused(t.ws(`${LIVE}?ticket=${unspent}`));
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'unauthorized' } });
    await stillOpen(others);
  });

  it('an admin resetting a password closes the account’s sockets and refuses its unspent tickets', async () => {
    const staff = await newStaff();
    const [live] = await socketsOf(staff.clients[0]!);
    const unspent = await staff.clients[0]!.ticket('chat');
    expect((await admin.call('PATCH', `/api/accounts/${staff.id}`, { password: randomUUID() })).status).toBe(200);
    expect((await closedWithin(live!, 1000)).code).toBe(4003);
    expect((await connectRefused(t.ws(`${CHAT}?ticket=${unspent}`))).status).toBe(401);
  });

  it('a chat socket of a revoked account acknowledges nothing more', async () => {
    const staff = await newStaff();
    const [, chat] = await socketsOf(staff.clients[0]!);
    expect((await admin.call('DELETE', `/api/accounts/${staff.id}`)).status).toBe(204);
    expect((await closedWithin(chat!, 1000)).code).toBe(4003);
    chat!.send({ type: 'chat.send', phone: '+919876543210', text: 'still here?', clientMsgId: 'after-revoke' });
    expect(chat!.messages.some((m) => m.type === 'ack')).toBe(false);
  });

  it('logout closes only the sockets opened from that session and refuses only its tickets', async () => {
    const staff = await newStaff(2);
    const [a, b] = staff.clients as [ApiClient, ApiClient];
    const fromA = await socketsOf(a);
    const fromB = await socketsOf(b);
    const unspentA = await a.ticket('live-orders');
    const unspentB = await b.ticket('live-orders');
    expect((await a.call('POST', '/api/auth/logout')).status).toBe(204);
    for (const s of fromA) expect((await closedWithin(s, 1000)).code).toBe(4003);
    expect((await connectRefused(t.ws(`${LIVE}?ticket=${unspentA}`))).status).toBe(401);
    await stillOpen(fromB);
    const withB = keep(await connectOpen(t.ws(`${LIVE}?ticket=${unspentB}`)));
    await withB.next('hello');
  });

  it('a process that missed the revocation message finds the ended session in the database', async () => {
    const staff = await newStaff();
    const [live] = await socketsOf(staff.clients[0]!);
    // The session ends without any message (as if this process's bus subscription had been down).
    await t.app.db.deleteFrom('sessions').where('account_id', '=', staff.id).execute();
    expect(live!.closed).toBeNull();
    t.app.streamNode.recheckSessions();
    expect((await closedWithin(live!, 1000)).code).toBe(4003);
  });

  it('changing one’s own password ends the other sessions and their sockets, and keeps the current one', async () => {
    const elsewhere = await ApiClient.login(t, LOGINS.admin);
    const mine = await socketsOf(admin);
    const theirs = await socketsOf(elsewhere);
    const me = (await admin.call('GET', '/api/auth/me')).body.account.id as number;
    // The same password again: still a change of credential, and the other tests keep their login.
    expect((await admin.call('PATCH', `/api/accounts/${me}`, { password: LOGINS.admin.password })).status).toBe(200);
    for (const s of theirs) expect((await closedWithin(s, 1000)).code).toBe(4003);
    await stillOpen(mine);
    expect((await admin.call('GET', '/api/auth/me')).status).toBe(200);
    expect((await elsewhere.call('GET', '/api/auth/me')).status).toBe(401);
  });
});
