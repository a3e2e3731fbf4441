import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createDatabase, type Db } from '../src/db/database.js';
import { generateSecret } from '../src/keys/keys-file.js';
import { seed, type SeedResult } from '../src/seed/seed.service.js';
import { FakeGraphApi } from '../test/support/fake-graph-api.js';
import { spawnServer, type SpawnedServer } from '../test/support/spawn-server.js';
import { Http } from './http.js';

export interface Secrets {
  webhook: string;
  whatsappApp: string;
  liveOrdersKey: string;
  chatKey: string;
}

export interface Staff {
  theatreId: number;
  cookie: string;
}

export interface Cluster {
  servers: SpawnedServer[];
  http: Http;
  db: Db;
  seeded: SeedResult;
  secrets: Secrets;
  graph: FakeGraphApi;
  staff: Staff[];
  admin: string;
  schema: string;
  ws(i: number, path: string): string;
  close(): Promise<void>;
}

const password = () => randomBytes(18).toString('base64url');

/** Two theatres like the sample venue (one takes cash), with room for every order of a soak. */
function venue(passwords: string[]) {
  const seats = (row: string) => Array.from({ length: 20 }, (_, i) => `${row}${i + 1}`);
  return {
    admins: [{ username: 'soak-admin', password: passwords[0]! }],
    theatres: [
      {
        name: 'Galaxy Cinemas',
        cashEnabled: true,
        orderLimit: 100_000,
        halls: [{ name: 'Audi 1', rows: [{ name: 'A', seats: seats('A') }, { name: 'B', seats: seats('B') }] }],
        menu: [{ category: 'Snacks', items: [{ name: 'Salted Popcorn', price: 25000, maxTime: 5 }, { name: 'Masala Chai', price: 6000, maxTime: 3 }] }],
        staff: [{ username: 'soak-galaxy', password: passwords[1]! }],
      },
      {
        name: 'Regal Talkies',
        cashEnabled: false,
        orderLimit: 100_000,
        halls: [{ name: 'Main', rows: [{ name: 'R', seats: seats('R') }] }],
        menu: [{ category: 'Snacks', items: [{ name: 'Cold Coffee', price: 12000, maxTime: 4 }] }],
        staff: [{ username: 'soak-regal', password: passwords[2]! }],
      },
    ],
  };
}

/**
 * N `scan2food serve` processes on one PostgreSQL schema and one Redis prefix made for this run,
 * with keys and secrets generated here, WhatsApp pointed at a fake Graph API on 127.0.0.1, and
 * stream history kept long enough that the final check can read every event of the run.
 */
export async function startCluster(opts: { databaseUrl: string; redisUrl: string; processes: number; log: (line: string) => void }): Promise<Cluster> {
  const schema = `soak_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const prefix = `scan2food:soak:${randomUUID()}:`;
  const secrets: Secrets = { webhook: generateSecret(), whatsappApp: generateSecret(), liveOrdersKey: generateSecret(), chatKey: generateSecret() };
  const graphToken = generateSecret();
  const phoneNumberId = String(100_000_000_000 + Math.floor(Math.random() * 1e9));
  const graph = await new FakeGraphApi(graphToken, phoneNumberId).start();
  const db = await createDatabase({ databaseUrl: opts.databaseUrl, schema, sqliteFile: '' });
  const passwords = [password(), password(), password()];
  const seeded = await seed(db.db, venue(passwords));
  const dataDirs: string[] = [];
  const env = {
    DATABASE_URL: opts.databaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: prefix,
    LIVE_ORDERS_WS_KEY: secrets.liveOrdersKey,
    PAYMENT_STATUS_WS_KEY: generateSecret(),
    CHAT_WS_KEY: secrets.chatKey,
    TICKET_SECRET: generateSecret(),
    PAYMENT_WEBHOOK_SECRET: secrets.webhook,
    WHATSAPP_API_BASE: graph.url,
    WHATSAPP_TOKEN: graphToken,
    WHATSAPP_PHONE_NUMBER_ID: phoneNumberId,
    WHATSAPP_APP_SECRET: secrets.whatsappApp,
    WHATSAPP_RETRY_BASE_MS: '100',
    // Every event of the run stays readable, so the check compares sockets with the whole history.
    RETENTION_EVENTS: '10000000',
    // Guests arrive through a proxy on 127.0.0.1 with their own addresses, as at a real cinema.
    TRUST_PROXY: '127.0.0.1',
    AUTH_FAIL_LIMIT: '1000',
    HOUSEKEEPING_INTERVAL_SECONDS: '30',
    LOG_LEVEL: 'warn',
  };
  let servers: SpawnedServer[] = [];
  try {
    servers = await Promise.all(
      Array.from({ length: opts.processes }, () => {
        const dir = mkdtempSync(join(tmpdir(), 'scan2food-soak-'));
        dataDirs.push(dir);
        return spawnServer({ ...env, DATA_DIR: dir }, 30_000);
      }),
    );
  } catch (err) {
    for (const s of servers) s.child.kill('SIGKILL');
    await db.close();
    await graph.close();
    throw err;
  }
  const http = new Http(servers.map((s) => `http://127.0.0.1:${s.port}`));
  const [theatre1, theatre2] = seeded.theatres;
  const staff = [
    { theatreId: theatre1!.id, cookie: await http.login('soak-galaxy', passwords[1]!) },
    { theatreId: theatre2!.id, cookie: await http.login('soak-regal', passwords[2]!) },
  ];
  const admin = await http.login('soak-admin', passwords[0]!);
  opts.log(`cluster: ${servers.length} processes on ports ${servers.map((s) => s.port).join(', ')}, schema ${schema}, Redis prefix ${prefix}`);

  return {
    servers,
    http,
    db,
    seeded,
    secrets,
    graph,
    staff,
    admin,
    schema,
    ws: (i, path) => `ws://127.0.0.1:${servers[i]!.port}${path}`,
    async close() {
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      await db.close();
      await graph.close();
      const admin = new pg.Client({ connectionString: opts.databaseUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
      await dropRedisPrefix(opts.redisUrl, prefix);
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
