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
  /** Orders where more than one of the parallel staff refunds answered 200 (each may have called the gateway). */
  refundedSeveralTimes: number;
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
        ledger.violation('follower behind at the end', `${f.stats.name}: stopped at seq ${f.stats.lastSeq} of ${f.stats.stream}, head is ${head}`);
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
  const types = onTheatre.map((e) => e.type);
  const trail = types.join(' → ') || 'no events';
  const v = (kind: string, what: string) => ledger.violation(kind, `order ${o.id} (${o.scenario}): ${what}`);
  if (!row) return v('order missing', 'not in the database');
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const [t, n] of counts) if (n > 1) v('event repeated for one order', `${t} ${n} times on theatre:${o.theatreId} (${trail})`);
  const cancelledAt = types.indexOf('order.cancelled');
  if (cancelledAt >= 0 && types.indexOf('order.confirmed', cancelledAt) > cancelledAt) v('order.confirmed after order.cancelled', trail);
  const transitions = types.filter((t) => t !== 'order.unseen');
  // Repeats and confirmed-after-cancelled are reported above; this catches any other wrong order.
  const illegal = transitions.findIndex((t, k) => {
    const before = transitions[k - 1];
    if (k === 0 || before === undefined || FOLLOWS[t] === undefined || t === before) return false;
    if (t === 'order.confirmed' && before === 'order.cancelled') return false;
    return !FOLLOWS[t]!.includes(before);
  });
  if (illegal > 0) v('illegal transition on the stream', `${transitions[illegal]} after ${transitions[illegal - 1]} (${trail})`);
  const lastEvent = onTheatre.filter((e) => e.type !== 'order.unseen').at(-1);
  const streamStatus = lastEvent?.data.order.status ?? 'placed';
  if (streamStatus !== row.status) v('row and last event disagree', `row is ${row.status} but the last event on theatre:${o.theatreId} says ${streamStatus} (${trail})`);
  const allTypes = onAll.map((e) => e.type).join(' → ') || 'no events';
  if (allTypes !== trail) v('theatres stream differs from theatre stream', `theatres has ${allTypes}, theatre:${o.theatreId} has ${trail}`);
  if (o.method === 'online' && payment.length > 0) {
    const statuses = payment.map((e) => e.data.status as string);
    const ptrail = statuses.join(' → ');
    if (statuses.at(-1) !== row.payment_status) v('payment status and last payment.status disagree', `payment_status is ${row.payment_status}, last payment.status on order:${o.id} is ${statuses.at(-1)} (${ptrail})`);
    const paidAt = statuses.indexOf('success');
    if (paidAt >= 0 && statuses.slice(paidAt).some((s) => s !== 'success' && s !== 'refunded')) v('payment status went back after success', ptrail);
    const refundedAt = statuses.indexOf('refunded');
    if (refundedAt >= 0 && statuses.slice(refundedAt).some((s) => s !== 'refunded')) v('payment status changed after refunded', ptrail);
  }
  if (o.cancelsOk > 0 && row.status !== 'cancelled' && row.status !== 'refunded') v('cancel answered 200 but lost', `${o.cancelsOk} staff cancel(s) answered 200, the order ended ${row.status}/${row.payment_status} (${trail})`);
  if (o.refundsOk > 0 && (row.status !== 'refunded' || row.payment_status !== 'refunded')) v('refund answered 200 but lost', `the order ended ${row.status}/${row.payment_status}`);
}

/** Each follower against the stored history of its stream: every seq after its first hello, once, the same event. */
function checkFollower(f: Follower, byStream: Map<string, EventRow[]>, ledger: Ledger): void {
  const { stream, firstSeq } = f.stats;
  if (stream === null || firstSeq === null) return ledger.violation('follower never connected', f.stats.name);
  const end = f.stats.lastSeq;
  let missing = 0;
  for (const e of byStream.get(stream) ?? []) {
    if (e.seq <= firstSeq || e.seq > end) continue;
    const got = f.received.get(e.seq);
    if (!got) missing++;
    else if (got.type !== e.type) ledger.violation('follower got another event than stored', `${f.stats.name}: ${stream} seq ${e.seq} was ${got.type}, stored ${e.type}`);
  }
  if (missing > 0) ledger.violation('events never reached a follower', `${f.stats.name}: ${missing} events of ${stream} between ${firstSeq} and ${end} never arrived`);
  const chatTheatre = /^chat:(\d+)$/.exec(stream)?.[1];
  if (chatTheatre) {
    for (const e of f.received.values()) {
      if (e.type === 'chat.message' && String(e.data.theatreId) !== chatTheatre) ledger.violation('chat message of another theatre on a theatre chat stream', `${f.stats.name}: ${stream} got a message of theatre ${e.data.theatreId} (${e.data.phone})`);
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
      if (m && String(m.theatreId) !== theatre) ledger.violation('chat leak', `"${m.direction}" message of ${m.phone} with theatre ${m.theatreId} shown on ${stream}`);
    }
  }
  for (const m of ledger.chat) {
    if (m.direction === 'in') {
      const n = waIdCounts.get(m.waId!) ?? 0;
      if (n !== 1) ledger.violation('WhatsApp message not stored exactly once', `${m.waId} stored ${n} times`);
    } else if (m.accepted) {
      const n = c.graph.accepted.filter((a) => a.body?.text?.body === m.text).length;
      if (n !== 1) ledger.violation('staff reply not sent exactly once', `"${m.text}" reached WhatsApp ${n} times`);
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
    if (!gapless) ledger.violation('stored history not gapless', `${stream} is not 1..${heads.get(stream)} without gaps (${events.length} events)`);
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
  let refundedSeveralTimes = 0;
  for (const o of ledger.orders.values()) {
    const row = orderRows.get(o.id);
    const payment = (byStream.get(`order:${o.id}`) ?? []).filter((e) => e.type === 'payment.status');
    checkOrder(o, row, onTheatre.get(o.theatreId)?.get(o.id) ?? [], onAll.get(o.id) ?? [], payment, ledger);
    const key = `${o.method} ${row?.status}/${row?.payment_status}`;
    finalStatus[key] = (finalStatus[key] ?? 0) + 1;
    if (row?.status === 'cancelled' && row.payment_status === 'success') paidButCancelled++;
    if (o.refundsOk > 1) refundedSeveralTimes++;
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
    refundedSeveralTimes,
    chatIn: ledger.chat.filter((m) => m.direction === 'in').length,
    chatOut: ledger.chat.filter((m) => m.direction === 'out' && m.accepted).length,
  };
}
