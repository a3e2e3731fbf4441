import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '../bus/event-bus.js';
import { MemoryBus } from '../bus/memory-bus.js';
import type { Db } from '../db/database.js';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { createLogger } from '../observability/logger.js';
import { encodeEvent } from '../realtime/stream-source.js';
import { EventRepository, type OutboxRow } from './event.repository.js';
import { OutboxRelay, toBusMessage } from './outbox-relay.js';
import { isTerminalEvent } from './terminal.js';

const engines = await databaseEngines();
const AT = new Date('2026-12-02T06:00:00.000Z');
const logger = createLogger('silent');
/** No safety-net poll during a test: whatever is published got there by a kick. */
const NO_POLL = { pollMs: 3_600_000, batch: 50 };

describe('toBusMessage', () => {
  it('builds the same text as encodeEvent from the stored JSON, and marks terminal payments', () => {
    const cases: { type: string; data: unknown }[] = [
      { type: 'order.confirmed', data: { order: { id: 7, items: [{ name: 'Masala “chai” ☕', qty: 2 }], note: 'a\\b"c\n' } } },
      { type: 'presence', data: null },
      { type: 'payment.status', data: { status: 'failed' } },
      { type: 'payment.status', data: { status: 'success', orderStatus: 'preparing' } },
      { type: 'payment.status', data: { status: 'success', orderStatus: 'delivered' } },
    ];
    for (const [i, c] of cases.entries()) {
      const row: OutboxRow = { id: i + 1, stream: 'order:7', seq: i + 1, type: c.type, at: AT.toISOString(), data: JSON.stringify(c.data) };
      const m = toBusMessage(row);
      const event = { stream: row.stream, seq: row.seq, type: row.type, at: row.at, data: c.data };
      expect(m.payload).toBe(encodeEvent(event));
      expect(m.terminal === true).toBe(isTerminalEvent(event));
    }
  });
});

describe.each(engines)('outbox relay on $name', (engine) => {
  let handle: TestDb;
  let second: Db | undefined;
  beforeAll(async () => {
    handle = await engine.open();
  });
  afterAll(async () => {
    await second?.close();
    await handle?.close();
  });

  /** A bus that records every message; `gate` holds publishing until released. */
  function recordingBus() {
    const bus = new MemoryBus();
    const got: BusMessage[] = [];
    bus.subscribe((m) => got.push(m));
    return { bus, got };
  }

  const write = (events: EventRepository, stream: string, n: number) =>
    handle.db.transaction().execute(async (trx) => {
      for (let i = 0; i < n; i++) await events.append(trx, stream, 'x', { i }, AT);
    });

  it('publishes every committed event once, in seq order per stream, on a kick (no poll)', async () => {
    await handle.reset();
    const events = new EventRepository(handle.db);
    const { bus, got } = recordingBus();
    const relay = new OutboxRelay(events, bus, logger, NO_POLL);
    relay.start();
    for (let k = 0; k < 12; k++) {
      await write(events, `s:${k % 3}`, 10);
      void relay.kick();
    }
    await relay.kick();
    await relay.stop();
    expect(got).toHaveLength(120);
    for (const s of ['s:0', 's:1', 's:2']) expect(got.filter((m) => m.stream === s).map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await events.unpublishedAfter(0, 10)).toEqual([]);
  });

  it.runIf(engine.name === 'postgres')(
    'two relays (two processes) publishing concurrently never publish a row twice, lose none, and keep every stream in order on the bus',
    { timeout: 60_000 },
    async () => {
      await handle.reset();
      second = await handle.reopen();
      // One bus shared by both (as Redis is): `got` is the order the bus received them in.
      const { bus, got } = recordingBus();
      const by = new Map<string, string>();
      const counting = (name: string) =>
        Object.assign(Object.create(bus) as MemoryBus, {
          publishAll: async (ms: readonly BusMessage[]) => {
            for (const m of ms) by.set(`${m.stream}#${m.seq}`, name);
            await bus.publishAll(ms);
          },
        });
      const a = { events: new EventRepository(handle.db) };
      const b = { events: new EventRepository(second.db) };
      const relayA = new OutboxRelay(a.events, counting('a'), logger, NO_POLL);
      const relayB = new OutboxRelay(b.events, counting('b'), logger, NO_POLL);
      relayA.start();
      relayB.start();
      // Writers on both "processes", each kicking its own relay after its commit, as uow.write does.
      const STREAMS = 8;
      const ROUNDS = 40;
      const PER_TX = 5;
      const writer = async (repo: EventRepository, db: Db, relay: OutboxRelay, offset: number) => {
        for (let r = 0; r < ROUNDS; r++) {
          const stream = `t:${(r + offset) % STREAMS}`;
          await db.db.transaction().execute(async (trx) => {
            for (let i = 0; i < PER_TX; i++) await repo.append(trx, stream, 'x', { r, i }, AT);
          });
          void relay.kick();
        }
      };
      await Promise.all([writer(a.events, handle, relayA, 0), writer(b.events, second, relayB, 3), writer(a.events, handle, relayA, 5), writer(b.events, second, relayB, 1)]);
      await Promise.all([relayA.kick(), relayB.kick()]);
      await Promise.all([relayA.stop(), relayB.stop()]);

      const total = 4 * ROUNDS * PER_TX;
      const keys = got.map((m) => `${m.stream}#${m.seq}`);
      expect(new Set(keys).size).toBe(keys.length); // none twice
      expect(keys).toHaveLength(total); // none lost
      // Both relays did part of the work...
      const counts = [...by.values()].reduce((c, n) => ((c[n] = (c[n] ?? 0) + 1), c), {} as Record<string, number>);
      expect(counts.a).toBeGreaterThan(0);
      expect(counts.b).toBeGreaterThan(0);
      // ...and the bus received every stream in seq order.
      for (let s = 0; s < STREAMS; s++) {
        const seqs = got.filter((m) => m.stream === `t:${s}`).map((m) => m.seq);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      }
      expect(await a.events.unpublishedAfter(0, 10)).toEqual([]);
    },
  );

  it.runIf(engine.name === 'postgres')(
    'a commit on another process is published right after the batch in progress, not after the poll, and never twice',
    { timeout: 30_000 },
    async () => {
      await handle.reset();
      second ??= await handle.reopen();
      const eventsA = new EventRepository(handle.db);
      const eventsB = new EventRepository(second.db);
      await write(eventsA, 'held', 3);
      // Relay A claims the three events and is stuck publishing them (a slow bus).
      let release!: () => void;
      const stuck = new Promise<void>((r) => (release = r));
      let claimedByA: OutboxRow[] = [];
      const aDone = eventsA.publishUnpublished(50, async (rows) => {
        claimedByA = rows;
        await stuck;
      });
      while (claimedByA.length === 0) await new Promise((r) => setTimeout(r, 5));
      // Process B commits and kicks its relay: it waits for A's batch (its turn), not for a poll.
      const { bus, got } = recordingBus();
      const relayB = new OutboxRelay(eventsB, bus, logger, NO_POLL);
      relayB.start();
      await second.db.transaction().execute((trx) => eventsB.append(trx, 'fresh', 'x', {}, AT));
      const bDone = relayB.kick();
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toEqual([]);
      release();
      expect(await aDone).toBe(3);
      await bDone;
      expect(got.map((m) => `${m.stream}#${m.seq}`)).toEqual(['fresh#1']);
      await relayB.stop();
      expect(claimedByA.map((r) => `${r.stream}#${r.seq}`)).toEqual(['held#1', 'held#2', 'held#3']);
    },
  );
});
