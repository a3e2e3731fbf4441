// `npm run bench:reports`: the sales report's cost on a year of a busy theatre. Generates
// 100,000 confirmed orders (1–3 items each) spread over a year for one theatre, on SQLite and,
// when DATABASE_URL is set, on PostgreSQL (a schema of its own, dropped afterwards); then times
// `GET /api/reports/sales`'s work (ReportService.sales: the grouped rows and the totals, both
// computed by the database) for the whole year, median of 3 after one warm-up run.
//
//   npm run bench:reports -- [--orders 100000]
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createDatabase, type Db } from '../src/db/database.js';
import { sql } from 'kysely';
import type { NewOrder } from '../src/orders/order.repository.js';
import type { OrderStatus } from '../src/orders/order.table.js';
import { ReportRepository } from '../src/reports/report.repository.js';
import { ReportService, type ReportGroupBy } from '../src/reports/report.service.js';
import { seed } from '../src/seed/seed.service.js';
import { VENUE_SEED } from '../src/seed/test-fixture.js';

const ordersArg = process.argv.indexOf('--orders');
const ORDERS = ordersArg > 0 ? Number(process.argv[ordersArg + 1]) : 100_000;
const BATCH = 1_000;
const RUNS = 3;
const FROM = '2025-12-01';
const TO = '2026-11-30';
const YEAR_START = Date.parse('2025-11-30T18:30:00Z');
const YEAR_MS = 365 * 86_400_000;
const GROUPS: ReportGroupBy[] = ['day', 'hour', 'month', 'paymentMethod', 'item'];

/** A small deterministic generator (mulberry32): every run benchmarks the same orders. */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

async function fill(db: Db): Promise<number> {
  const venue = await seed(db.db, VENUE_SEED);
  const theatre = venue.theatres[0]!;
  const seat = theatre.halls[0]!.rows[0]!.seats[0]!.id;
  const items = theatre.menu.flatMap((c) => c.items);
  const rand = rng(7);
  const statuses: OrderStatus[] = ['delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'seen', 'cancelled', 'refunded'];
  for (let done = 0; done < ORDERS; done += BATCH) {
    const lines: Array<Array<{ item_id: number; name: string; price: number; quantity: number }>> = [];
    const rows: NewOrder[] = [];
    for (let i = 0; i < Math.min(BATCH, ORDERS - done); i++) {
      const picked = Array.from({ length: 1 + rand(3) }, () => {
        const item = items[rand(items.length)]!;
        return { item_id: item.id, name: item.name, price: item.price, quantity: 1 + rand(3) };
      });
      lines.push(picked);
      const subtotal = picked.reduce((s, l) => s + l.price * l.quantity, 0);
      const tax = Math.round(subtotal * 0.05);
      const at = new Date(YEAR_START + rand(YEAR_MS / 1000) * 1000);
      const status = statuses[rand(statuses.length)]!;
      const iso = at.toISOString();
      rows.push({
        theatre_id: theatre.id,
        seat_id: seat,
        seat_name: 'A1',
        row_name: 'A',
        hall_name: 'Audi 1',
        phone: '+919876543210',
        notes: null,
        payment_method: rand(3) === 0 ? ('cash' as const) : ('online' as const),
        payment_status: 'success' as const,
        status,
        amount: subtotal + tax,
        subtotal,
        discount: 0,
        taxes: JSON.stringify([{ name: 'GST', rate: 5, amount: tax }]),
        tax_total: tax,
        refunded_amount: status === 'refunded' ? subtotal + tax : 0,
        max_time: 10,
        token_hash: 'bench',
        placed_at: iso,
        confirmed_at: iso,
        delivered_at: status === 'delivered' || status === 'refunded' ? new Date(at.getTime() + (5 + rand(25)) * 60_000).toISOString() : null,
        unseen_alerted_at: null,
        updated_at: iso,
      });
    }
    await db.db.transaction().execute(async (trx) => {
      const ids = await trx.insertInto('orders').values(rows).returning('id').execute();
      await trx
        .insertInto('order_items')
        .values(ids.flatMap(({ id }, i) => lines[i]!.map((l) => ({ ...l, order_id: id }))))
        .execute();
    });
  }
  return theatre.id;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

async function bench(name: string, db: Db): Promise<string[]> {
  const t0 = performance.now();
  const theatreId = await fill(db);
  const fillS = (performance.now() - t0) / 1000;
  // Fresh statistics, as autovacuum would have after a year of orders.
  await sql`analyze`.execute(db.db);
  const service = new ReportService({ db: db.db, reports: new ReportRepository(db.db, db.dialect) });
  const lines: string[] = [];
  for (const groupBy of GROUPS) {
    const run = () => service.sales({ role: 'admin' }, { from: FROM, to: TO, groupBy, theatreId });
    const first = await run();
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const c = process.cpuUsage();
      const s = performance.now();
      await run();
      times.push(performance.now() - s);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
    }
    const counted = first.groupBy === 'item' ? `${first.rows.length} items` : `${first.totals.orders} orders, ${first.rows.length} rows`;
    // SQLite runs inside this process, so its CPU time is the query's own cost whatever else the
    // machine is doing; PostgreSQL's work is in the server process (wall time only).
    const ownCpu = db.dialect === 'sqlite' ? `${median(cpu).toFixed(0)} ms` : '–';
    lines.push(`| ${name} | ${groupBy} | ${median(times).toFixed(0)} ms | ${times.map((t) => t.toFixed(0)).join(', ')} | ${ownCpu} | ${counted} |`);
    console.error(lines[lines.length - 1]);
  }
  console.error(`${name}: ${ORDERS} orders generated in ${fillS.toFixed(1)} s`);
  return lines;
}

async function main(): Promise<void> {
  const out = ['| database | groupBy | median (wall) | runs (ms) | CPU (median) | counted |', '|---|---|---|---|---|---|'];
  const file = join(tmpdir(), `scan2food-bench-reports-${randomBytes(4).toString('hex')}.db`);
  const sqlite = await createDatabase({ sqliteFile: file });
  try {
    out.push(...(await bench('SQLite', sqlite)));
  } finally {
    await sqlite.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
  const url = process.env.DATABASE_URL;
  if (url) {
    const schema = `bench_reports_${randomBytes(4).toString('hex')}`;
    const postgres = await createDatabase({ databaseUrl: url, sqliteFile: '', schema });
    try {
      out.push(...(await bench('PostgreSQL', postgres)));
    } finally {
      await postgres.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  } else {
    console.error('PostgreSQL skipped: set DATABASE_URL to benchmark it too');
  }
  console.log(`${ORDERS} orders over a year, one theatre; ReportService.sales for ${FROM}..${TO}, median of ${RUNS} after a warm-up\n`);
  console.log(out.join('\n'));
}

await main();
