// `npm run soak`: a bounded soak of three `scan2food serve` processes on PostgreSQL and Redis.
// Steady orders, online payments, cancels racing captures, refunds, WhatsApp chat and socket
// reconnects with resume; then every order's final state is checked against its events, every
// follower against the stored history, and each process's memory for growth. Exits 1 on any
// violation. See docs/reliability.md.
import { writeFileSync } from 'node:fs';
import { checkAll, quiesce, type CheckFigures } from './checks.js';
import { ChatLoad } from './chat-load.js';
import { startCluster, type Cluster } from './cluster.js';
import { Follower } from './follower.js';
import { Guests, sleep } from './guests.js';
import { Ledger, type OrderEntry } from './ledger.js';
import { MemoryWatch, type MemoryVerdict } from './memory.js';
import { parseOptions, type SoakOptions } from './options.js';

const PROGRESS_MS = 10_000;
const SAMPLE_MS = 5_000;
const BOUNCE_MS = 2_000;
const CHAT_TICK_MS = 700;
const MAX_LIVES = 60;
const MAX_PAYMENT_FOLLOWERS = 60;
/** Memory is judged on runs of at least this long; shorter ones report it only. */
const MIN_JUDGED_MS = 3 * 60_000;
const MB = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

function followers(c: Cluster, ledger: Ledger): { all: Follower[]; payment: (o: OrderEntry) => void } {
  const all: Follower[] = [];
  const add = (f: Follower) => (all.push(f), void f.start());
  const since = (s: number | undefined) => (s === undefined ? '' : `&since=${s}`);
  const ticket = async (i: number, socket: string, o: { cookie?: string; bearer?: string; orderId?: number }) => {
    const r = await c.http.call(i, 'POST', '/api/ws/tickets', { cookie: o.cookie, bearer: o.bearer, body: o.orderId === undefined ? { socket } : { socket, orderId: o.orderId } });
    if (r.status !== 201) throw new Error(`ticket refused: ${r.status}`);
    return encodeURIComponent(r.body.ticket as string);
  };
  const violation = (kind: string, detail: string) => ledger.violation(kind, detail);
  add(new Follower('key:theatres', async (s) => c.ws(c.http.pick(), `/ws/all-seat-datasocket/?key=${c.secrets.liveOrdersKey}${since(s)}`), violation));
  add(new Follower('key:chat', async (s) => c.ws(c.http.pick(), `/ws/chat-socket/?key=${c.secrets.chatKey}${since(s)}`), violation));
  for (const staff of c.staff) {
    for (const [socket, path] of [['live-orders', '/ws/all-seat-datasocket/'], ['chat', '/ws/chat-socket/']] as const) {
      add(new Follower(`staff:${socket}:${staff.theatreId}`, async (s) => {
        const i = c.http.pick();
        return c.ws(i, `${path}?ticket=${await ticket(i, socket, { cookie: staff.cookie })}${since(s)}`);
      }, violation));
    }
  }
  let payments = 0;
  const payment = (o: OrderEntry) => {
    if (payments >= MAX_PAYMENT_FOLLOWERS) return;
    payments++;
    add(new Follower(`guest:payment:${o.id}`, async (s) => {
      const i = c.http.pick();
      return c.ws(i, `/ws/payment-socket/${o.id}/?ticket=${await ticket(i, 'payment', { bearer: o.token, orderId: o.id })}${since(s)}`);
    }, violation));
  };
  return { all, payment };
}

function progress(startedAt: number, ledger: Ledger, all: Follower[], memory: MemoryWatch): string {
  const sum = (pick: (f: Follower) => number) => all.reduce((n, f) => n + pick(f), 0);
  const mem = memory.samples.map((_, i) => {
    const m = memory.latest(i);
    return m ? `p${i + 1} rss ${MB(m.rss)} heap ${MB(m.heap)}` : `p${i + 1} -`;
  });
  return `[${Math.round((Date.now() - startedAt) / 1000)}s] orders ${ledger.orders.size} chat ${ledger.chat.length} followers ${all.length} events ${sum((f) => f.stats.events)} reconnects ${sum((f) => f.stats.reconnects)} max gap ${Math.max(0, ...all.map((f) => f.stats.maxGap))} 429s ${ledger.throttled} violations so far ${ledger.violations.length} (orders are checked at the end) | ${mem.join(' | ')}`;
}

async function storeSizes(c: Cluster): Promise<Record<string, number>> {
  const text = String((await c.http.call(0, 'GET', '/metrics')).body);
  const sizes: Record<string, number> = {};
  for (const m of text.matchAll(/^scan2food_store_size\{store="([a-z_]+)"\} (\d+)/gm)) sizes[m[1]!] = Number(m[2]);
  return sizes;
}

async function soak(opts: SoakOptions): Promise<number> {
  const ledger = new Ledger();
  const log = (line: string) => console.log(line);
  const c = await startCluster({ databaseUrl: opts.databaseUrl, redisUrl: opts.redisUrl, processes: opts.processes, log });
  let running = true;
  for (const [i, s] of c.servers.entries()) void s.exited.then((code) => running && ledger.violation('process exited', `process ${i + 1} exited with ${code} during the run:\n${s.stderr().slice(-2000)}`));
  const f = followers(c, ledger);
  const guests = new Guests(c, ledger, f.payment);
  const chat = new ChatLoad(c, ledger, guests);
  const memory = new MemoryWatch(c.http);
  const startedAt = Date.now();
  const endAt = startedAt + opts.minutes * 60_000;
  const lives = new Set<Promise<void>>();
  const loops: Promise<void>[] = [];
  const every = (ms: number, step: () => Promise<void> | void) =>
    loops.push((async () => {
      while (Date.now() < endAt) {
        await step();
        await sleep(ms);
      }
    })());
  log(`soak: ${opts.minutes} min, ${opts.processes} processes, ${opts.rate} orders/s`);
  every(1000 / opts.rate, () => {
    if (lives.size >= MAX_LIVES) return;
    const life = guests.life().catch((err) => ledger.violation('soak flow crashed', `order flow: ${(err as Error).stack}`));
    lives.add(life);
    void life.finally(() => lives.delete(life));
  });
  every(CHAT_TICK_MS, () => chat.tick().catch((err) => ledger.violation('soak flow crashed', `chat flow: ${(err as Error).stack}`)));
  every(BOUNCE_MS, () => {
    const live = f.all.filter((x) => !x.stats.done);
    const pick = live[Math.floor(Math.random() * live.length)];
    void pick?.bounce(Math.random() < 0.3);
  });
  every(SAMPLE_MS, () => memory.sample(Date.now() - startedAt));
  every(PROGRESS_MS, () => (Date.now() - startedAt >= PROGRESS_MS - 100 ? log(progress(startedAt, ledger, f.all, memory)) : undefined));
  await Promise.all(loops);
  log(`load stopped after ${Math.round((Date.now() - startedAt) / 1000)}s; waiting for ${lives.size} orders in flight`);
  await Promise.race([Promise.all(lives), sleep(60_000)]);
  await quiesce(c, ledger, f.all, 30_000);
  running = false;
  let figures: CheckFigures | undefined;
  let sizes: Record<string, number> = {};
  try {
    figures = await checkAll(c, ledger, f.all);
    sizes = await storeSizes(c);
  } finally {
    for (const x of f.all) x.stop();
  }
  const durationMs = Date.now() - startedAt;
  const warmupMs = Math.min(60_000, durationMs * 0.2);
  const verdicts = memory.verdicts(opts.memoryMargin, 6, warmupMs);
  const judged = opts.minutes * 60_000 >= MIN_JUDGED_MS;
  for (const v of verdicts) {
    if (judged && v.flat === false) ledger.violation('memory grew', `process ${v.process}: memory grew (rss ${(v.rssGrowth * 100).toFixed(0)} %, heap ${(v.heapGrowth * 100).toFixed(0)} %, margin ${opts.memoryMargin * 100} %)`);
  }
  const result = summary(opts, ledger, f.all, figures, verdicts, judged, sizes, durationMs);
  log(result.text);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(result.json, null, 2));
  await c.close();
  return ledger.violations.length === 0 ? 0 : 1;
}

function summary(opts: SoakOptions, ledger: Ledger, all: Follower[], figures: CheckFigures | undefined, verdicts: MemoryVerdict[], judged: boolean, sizes: Record<string, number>, durationMs: number) {
  const sum = (pick: (f: Follower) => number) => all.reduce((n, f) => n + pick(f), 0);
  const json = {
    minutes: opts.minutes,
    durationSeconds: Math.round(durationMs / 1000),
    processes: opts.processes,
    rate: opts.rate,
    orders: ledger.orders.size,
    scenarios: ledger.scenarios,
    finalStatus: figures?.finalStatus,
    paidButCancelled: figures?.paidButCancelled,
    refundedSeveralTimes: figures?.refundedSeveralTimes,
    storedEvents: figures?.events,
    streams: figures?.streams,
    chat: { incoming: figures?.chatIn, repliesAccepted: figures?.chatOut },
    followers: all.length,
    followerEvents: sum((f) => f.stats.events),
    reconnects: sum((f) => f.stats.reconnects),
    maxGap: Math.max(0, ...all.map((f) => f.stats.maxGap)),
    duplicates: sum((f) => f.stats.duplicates),
    resets: sum((f) => f.stats.resets),
    throttled429: ledger.throttled,
    requestErrors: ledger.requestErrors,
    answers: ledger.answers,
    storeSizes: sizes,
    memory: verdicts,
    memoryJudged: judged,
    memoryMargin: opts.memoryMargin,
    violations: ledger.violations.length,
    violationKinds: Object.fromEntries(ledger.kinds),
  };
  const lines = [
    '',
    `== soak summary: ${json.durationSeconds}s, ${opts.processes} processes, ${opts.rate} orders/s ==`,
    `orders ${json.orders}: ${Object.entries(json.scenarios).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `final states: ${Object.entries(json.finalStatus ?? {}).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `stored events ${json.storedEvents} on ${json.streams} streams; followers ${json.followers} received ${json.followerEvents} events over ${json.reconnects} reconnects; max gap ${json.maxGap}, duplicates ${json.duplicates}, resets ${json.resets}`,
    `chat: ${json.chat.incoming} guest messages, ${json.chat.repliesAccepted} staff replies accepted; 429 answers ${json.throttled429}; request errors ${json.requestErrors}; paid but cancelled (awaiting refund) ${json.paidButCancelled}; orders with several staff refunds answered 200 ${json.refundedSeveralTimes}`,
    `housekeeping store sizes (process 1): ${JSON.stringify(sizes)}`,
    ...verdicts.map((v) => `process ${v.process}: rss ${MB(v.rssStart)} → ${MB(v.rssEnd)}, heap ${MB(v.heapStart)} → ${MB(v.heapEnd)}; last third vs first third: rss ${(v.rssGrowth * 100).toFixed(1)} %, heap ${(v.heapGrowth * 100).toFixed(1)} % (${v.samples} samples after warm-up) ${judged ? (v.flat ? 'flat' : 'GREW') : 'not judged (run under 3 min)'}`),
    `violations: ${json.violations}`,
    ...[...ledger.kinds].flatMap(([kind, k]) => [`  ${kind}: ${k.count}`, ...k.examples.map((e) => `      e.g. ${e}`)]),
  ];
  return { json, text: lines.join('\n') };
}

let code: number;
try {
  code = await soak(parseOptions(process.argv.slice(2), process.env));
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  code = 2;
}
// Bounded: idle keep-alive sockets must not hold the run open after its summary.
process.exit(code);
