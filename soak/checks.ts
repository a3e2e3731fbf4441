import { sql } from 'kysely';
import type { Cluster } from './cluster.js';
import type { Follower } from './follower.js';
import type { Ledger, OrderEntry } from './ledger.js';

interface EventRow {
  stream: string;
  seq: number;
  type: string;
  data: any;
}

export interface CheckFigures {
  events: number;
  streams: number;
  finalStatus: Record<string, number>;
  /** Online orders paid and then cancelled, not (yet) refunded: money to return by hand. */
  paidButCancelled: number;
  chatIn: number;
  chatOut: number;
}

/** Waits until every committed event is published, every reply left, and every follower caught up. */
export async function quiesce(c: Cluster, ledger: Ledger, followers: Follower[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const count = async (q: string) => Number((await sql<{ n: string }>`${sql.raw(q)}`.execute(c.db.db)).rows[0]!.n);
  while (Date.now() < deadline) {
    const unpublished = await count('select count(*) as n from stream_events where published = 0');
    const queued = await count(`select count(*) as n from chat_messages where status = 'queued'`);
    if (unpublished === 0 && queued === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const heads = new Map((await c.db.db.selectFrom('stream_heads').selectAll().execute()).map((h) => [h.stream, h.seq]));
  await Promise.all(
    followers.map(async (f) => {
      const head = f.stats.stream === null ? undefined : heads.get(f.stats.stream);
      if (head === undefined || f.stats.done) return;
      if (!(await f.caughtUp(head, Math.max(1000, deadline - Date.now())))) {
        ledger.violation(`${f.stats.name}: stopped at seq ${f.stats.lastSeq} of ${f.stats.stream}, head is ${head}`);
      }
    }),
  );
}

const FOLLOWS: Record<string, string[]> = {
  'order.confirmed': [],
  'order.seen': ['order.confirmed'],
  'order.delivered': ['order.confirmed', 'order.seen'],
  'order.cancelled': ['order.confirmed', 'order.seen'],
  'order.refunded': ['order.confirmed', 'order.seen', 'order.delivered', 'order.cancelled'],
  'order.unseen': ['order.confirmed'],
};

/** Every order's final row against its events, and the ledger's acknowledged actions against the rows. */
function checkOrder(o: OrderEntry, row: { status: string; payment_status: string } | undefined, onTheatre: EventRow[], onAll: EventRow[], payment: EventRow[], ledger: Ledger): void {
  const v = (what: string) => ledger.violation(`order ${o.id} (${o.scenario}): ${what}`);
  if (!row) return v('not in the database');
  const types = onTheatre.map((e) => e.type);
  const seen = new Set<string>();
  let last: string | undefined;
  for (const t of types) {
    if (seen.has(t)) v(`${t} twice on theatre:${o.theatreId} (${types.join(' → ')})`);
    if (t === 'order.confirmed' && seen.has('order.cancelled')) v(`order.confirmed after order.cancelled (${types.join(' → ')})`);
    else if (last !== undefined && FOLLOWS[t] && !FOLLOWS[t]!.includes(last) && last !== 'order.unseen') v(`${t} after ${last} (${types.join(' → ')})`);
    seen.add(t);
    if (t !== 'order.unseen') last = t;
  }
  const lastEvent = onTheatre.filter((e) => e.type !== 'order.unseen').at(-1);
  const streamStatus = lastEvent?.data.order.status ?? 'placed';
  if (streamStatus !== row.status) v(`row is ${row.status} but the last event on theatre:${o.theatreId} says ${streamStatus} (${types.join(' → ') || 'no events'})`);
  const allTypes = onAll.map((e) => e.type).join(',');
  if (allTypes !== types.join(',')) v(`theatres stream has ${allTypes || 'nothing'}, theatre:${o.theatreId} has ${types.join(',') || 'nothing'}`);
  if (o.method === 'online' && payment.length > 0) {
    const statuses = payment.map((e) => e.data.status as string);
    if (statuses.at(-1) !== row.payment_status) v(`payment_status is ${row.payment_status} but the last payment.status on order:${o.id} says ${statuses.at(-1)} (${statuses.join(' → ')})`);
    const paidAt = statuses.indexOf('success');
    if (paidAt >= 0 && statuses.slice(paidAt).some((s) => s !== 'success' && s !== 'refunded')) v(`payment went back after success (${statuses.join(' → ')})`);
    const refundedAt = statuses.indexOf('refunded');
    if (refundedAt >= 0 && statuses.slice(refundedAt).some((s) => s !== 'refunded')) v(`payment changed after refunded (${statuses.join(' → ')})`);
  }
  if (o.cancelsOk > 0 && row.status !== 'cancelled' && row.status !== 'refunded') v(`${o.cancelsOk} staff cancel(s) answered 200 but the order ended ${row.status}/${row.payment_status} (lost update)`);
  if (o.refundsOk > 0 && (row.status !== 'refunded' || row.payment_status !== 'refunded')) v(`a staff refund answered 200 but the order ended ${row.status}/${row.payment_status}`);
}

/** Each follower against the stored history of its stream: every seq after its first hello, once, the same event. */
function checkFollower(f: Follower, byStream: Map<string, EventRow[]>, ledger: Ledger): void {
  const { stream, firstSeq } = f.stats;
  if (stream === null || firstSeq === null) return ledger.violation(`${f.stats.name}: never connected`);
  const end = f.stats.lastSeq;
  let missing = 0;
  for (const e of byStream.get(stream) ?? []) {
    if (e.seq <= firstSeq || e.seq > end) continue;
    const got = f.received.get(e.seq);
    if (!got) missing++;
    else if (got.type !== e.type) ledger.violation(`${f.stats.name}: ${stream} seq ${e.seq} was ${got.type}, stored ${e.type}`);
  }
  if (missing > 0) ledger.violation(`${f.stats.name}: ${missing} events of ${stream} between ${firstSeq} and ${end} never arrived`);
  const chatTheatre = /^chat:(\d+)$/.exec(stream)?.[1];
  if (chatTheatre) {
    for (const e of f.received.values()) {
      if (e.type === 'chat.message' && String(e.data.theatreId) !== chatTheatre) ledger.violation(`${f.stats.name}: ${stream} got a message of theatre ${e.data.theatreId} (${e.data.phone})`);
    }
  }
}

function checkChat(c: Cluster, ledger: Ledger, byStream: Map<string, EventRow[]>, waIdCounts: Map<string, number>): void {
  const owner = new Map(ledger.chat.map((m) => [m.text, m]));
  for (const [stream, events] of byStream) {
    const theatre = /^chat:(\d+)$/.exec(stream)?.[1];
    if (!theatre) continue;
    for (const e of events) {
      const m = e.type === 'chat.message' ? owner.get(e.data.text) : undefined;
      if (m && String(m.theatreId) !== theatre) ledger.violation(`chat leak: "${m.direction}" message of ${m.phone} with theatre ${m.theatreId} shown on ${stream}`);
    }
  }
  for (const m of ledger.chat) {
    if (m.direction === 'in') {
      const n = waIdCounts.get(m.waId!) ?? 0;
      if (n !== 1) ledger.violation(`WhatsApp message ${m.waId} stored ${n} times`);
    } else if (m.accepted) {
      const n = c.graph.accepted.filter((a) => a.body?.text?.body === m.text).length;
      if (n !== 1) ledger.violation(`staff reply "${m.text}" reached WhatsApp ${n} times`);
    }
  }
}

export async function checkAll(c: Cluster, ledger: Ledger, followers: Follower[]): Promise<CheckFigures> {
  const rows = await c.db.db.selectFrom('stream_events').select(['stream', 'seq', 'type', 'data']).orderBy('stream').orderBy('seq').execute();
  const byStream = new Map<string, EventRow[]>();
  for (const r of rows) {
    const list = byStream.get(r.stream) ?? [];
    list.push({ stream: r.stream, seq: r.seq, type: r.type, data: JSON.parse(r.data) });
    byStream.set(r.stream, list);
  }
  const heads = new Map((await c.db.db.selectFrom('stream_heads').selectAll().execute()).map((h) => [h.stream, h.seq]));
  for (const [stream, events] of byStream) {
    const gapless = events.every((e, k) => e.seq === k + 1) && events.length === heads.get(stream);
    if (!gapless) ledger.violation(`stored history of ${stream} is not 1..${heads.get(stream)} without gaps (${events.length} events)`);
  }

  const orderRows = new Map((await c.db.db.selectFrom('orders').select(['id', 'status', 'payment_status']).execute()).map((r) => [r.id, r]));
  const ofOrder = (stream: string) => {
    const m = new Map<number, EventRow[]>();
    for (const e of byStream.get(stream) ?? []) {
      const id = e.data?.order?.id;
      if (typeof id === 'number') m.set(id, [...(m.get(id) ?? []), e]);
    }
    return m;
  };
  const onAll = ofOrder('theatres');
  const onTheatre = new Map(c.seeded.theatres.map((t) => [t.id, ofOrder(`theatre:${t.id}`)]));
  const finalStatus: Record<string, number> = {};
  let paidButCancelled = 0;
  for (const o of ledger.orders.values()) {
    const row = orderRows.get(o.id);
    const payment = (byStream.get(`order:${o.id}`) ?? []).filter((e) => e.type === 'payment.status');
    checkOrder(o, row, onTheatre.get(o.theatreId)?.get(o.id) ?? [], onAll.get(o.id) ?? [], payment, ledger);
    const key = `${o.method} ${row?.status}/${row?.payment_status}`;
    finalStatus[key] = (finalStatus[key] ?? 0) + 1;
    if (row?.status === 'cancelled' && row.payment_status === 'success') paidButCancelled++;
  }
  for (const f of followers) checkFollower(f, byStream, ledger);

  const incoming = await c.db.db.selectFrom('chat_messages').select('wa_id').where('direction', '=', 'incoming').execute();
  const waIdCounts = new Map<string, number>();
  for (const r of incoming) if (r.wa_id) waIdCounts.set(r.wa_id, (waIdCounts.get(r.wa_id) ?? 0) + 1);
  checkChat(c, ledger, byStream, waIdCounts);

  return {
    events: rows.length,
    streams: byStream.size,
    finalStatus,
    paidButCancelled,
    chatIn: ledger.chat.filter((m) => m.direction === 'in').length,
    chatOut: ledger.chat.filter((m) => m.direction === 'out' && m.accepted).length,
  };
}
