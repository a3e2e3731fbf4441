import { seed, type SeedResult } from '../../src/seed/seed.service.js';
import { SAMPLE_SEED } from '../../src/seed/test-fixture.js';
import { startTestApp, type TestApp } from './test-app.js';

export interface Venue {
  seeded: SeedResult;
  theatre1: SeedResult['theatres'][number];
  theatre2: SeedResult['theatres'][number];
  /** First seat of theatre 1 and its items by name. */
  seat1: number;
  seat2: number;
  item(theatre: SeedResult['theatres'][number], name: string): number;
}

/**
 * Seeds the sample venue (Galaxy: cash; Regal: no cash) into a test app's database, with room for
 * `orderLimit` open orders at Galaxy.
 */
export async function seedVenue(t: TestApp, orderLimit = 100): Promise<Venue> {
  const input = { ...SAMPLE_SEED, theatres: SAMPLE_SEED.theatres.map((th, i) => (i === 0 ? { ...th, orderLimit } : th)) };
  const seeded = await seed(t.app.db, input);
  const [theatre1, theatre2] = seeded.theatres as [SeedResult['theatres'][number], SeedResult['theatres'][number]];
  return {
    seeded,
    theatre1,
    theatre2,
    seat1: theatre1.halls[0]!.rows[0]!.seats[0]!.id,
    seat2: theatre2.halls[0]!.rows[0]!.seats[0]!.id,
    item: (theatre, name) => {
      for (const c of theatre.menu) for (const i of c.items) if (i.name === name) return i.id;
      throw new Error(`no item ${name}`);
    },
  };
}

export const LOGINS = {
  admin: { username: 'root', password: SAMPLE_SEED.admins[0]!.password },
  staff1: { username: 'galaxy-staff', password: SAMPLE_SEED.theatres[0]!.staff[0]!.password },
  staff2: { username: 'regal-staff', password: SAMPLE_SEED.theatres[1]!.staff[0]!.password },
};

/** A small JSON client keeping a session cookie, like a browser would. */
export class ApiClient {
  cookie = '';
  constructor(private readonly t: TestApp, private readonly bearer?: string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.cookie) h.cookie = this.cookie;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    const res = await fetch(this.t.http(path), { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  }

  static async login(t: TestApp, login: { username: string; password: string }): Promise<ApiClient> {
    const c = new ApiClient(t);
    const r = await c.call('POST', '/api/auth/login', login);
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    return c;
  }

  async ticket(socket: string, orderId?: number): Promise<string> {
    const r = await this.call('POST', '/api/ws/tickets', orderId === undefined ? { socket } : { socket, orderId });
    if (r.status !== 201) throw new Error(`ticket failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.ticket as string;
  }
}

/**
 * For tests about something else that place many orders from one phone and one address: the
 * abuse limits get out of their way. The limits themselves are tested in order-abuse*.test.ts.
 */
export const ROOMY_GUEST_LIMITS: Record<string, string> = {
  ORDERS_PER_PHONE: '100000',
  ORDERS_PER_ADDRESS: '100000',
  PAYMENT_STARTS_PER_ORDER: '100000',
  PAYMENT_STARTS_PER_ADDRESS: '100000',
  OPEN_CASH_ORDERS_PER_PHONE: '100000',
  OPEN_CASH_ORDERS_PER_ADDRESS: '100000',
};

export interface VenueWorld {
  t: TestApp;
  v: Venue;
  staff1: ApiClient;
  staff2: ApiClient;
  admin: ApiClient;
}

/** A started app with the sample venue and its staff of theatre 1, staff of theatre 2 and admin logged in. */
export async function startVenueWorld(env: Record<string, string> = {}): Promise<VenueWorld> {
  const t = await startTestApp({ AUTH_FAIL_LIMIT: '1000', ...env });
  const v = await seedVenue(t);
  const [staff1, staff2, admin] = await Promise.all([ApiClient.login(t, LOGINS.staff1), ApiClient.login(t, LOGINS.staff2), ApiClient.login(t, LOGINS.admin)]);
  return { t, v, staff1, staff2, admin };
}
