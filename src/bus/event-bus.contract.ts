import { afterEach, describe, expect, it } from 'vitest';
import type { BusMessage, EventBus } from './event-bus.js';

/** What "two processes" means for an engine: two buses on one shared backend. */
export interface BusPair {
  a: EventBus;
  b: EventBus;
  close(): Promise<void>;
}

function collect(bus: EventBus): { got: BusMessage[]; until(n: number, ms?: number): Promise<void> } {
  const got: BusMessage[] = [];
  const waiters: (() => void)[] = [];
  bus.subscribe((m) => {
    got.push(m);
    for (const w of waiters.splice(0)) w();
  });
  return {
    got,
    async until(n, ms = 3000) {
      const deadline = Date.now() + ms;
      while (got.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${n} messages, got ${got.length}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
  };
}

/** The one contract every EventBus engine passes (see the interface's comment). */
export function eventBusContract(engine: string, makePair: () => Promise<BusPair>): void {
  describe(`EventBus contract: ${engine}`, () => {
    let pair: BusPair | undefined;
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('delivers a published message to every subscriber, on the publishing side too', async () => {
      pair = await makePair();
      const onA = collect(pair.a);
      const onB = collect(pair.b);
      const second = collect(pair.b);
      await pair.a.publish({ stream: 'theatre:1', seq: 1, payload: '{"type":"x"}' });
      await Promise.all([onA.until(1), onB.until(1), second.until(1)]);
      expect(onB.got).toEqual([{ stream: 'theatre:1', seq: 1, payload: '{"type":"x"}' }]);
      expect(onA.got).toEqual(onB.got);
    });

    it('keeps the publish order of one publisher, across streams, for 1,000 messages', async () => {
      pair = await makePair();
      const onB = collect(pair.b);
      const sent: BusMessage[] = [];
      for (let i = 1; i <= 1000; i++) {
        const m = { stream: i % 2 ? 'theatre:1' : 'order:9', seq: Math.ceil(i / 2), payload: `{"n":${i}}` };
        sent.push(m);
        void pair.a.publish(m);
      }
      await onB.until(1000);
      expect(onB.got).toEqual(sent);
    });

    it('publishAll delivers a batch in order, across streams, to every process', async () => {
      pair = await makePair();
      const onA = collect(pair.a);
      const onB = collect(pair.b);
      const batch: BusMessage[] = [];
      for (let i = 1; i <= 500; i++) batch.push({ stream: i % 3 ? 'theatre:1' : 'order:9', seq: i, payload: `{"n":${i}}` });
      batch[7] = { ...batch[7]!, terminal: true };
      await pair.a.publishAll(batch);
      await pair.a.publishAll([]);
      await Promise.all([onA.until(500), onB.until(500)]);
      expect(onB.got).toEqual(batch);
      expect(onA.got).toEqual(batch);
    });

    it('stops delivering to an unsubscribed listener', async () => {
      pair = await makePair();
      const got: BusMessage[] = [];
      const off = pair.b.subscribe((m) => got.push(m));
      const stillOn = collect(pair.b);
      off();
      await pair.a.publish({ stream: 's', seq: 1, payload: '{}' });
      await stillOn.until(1);
      expect(got).toEqual([]);
    });

    it('delivers control messages to every process, the publishing one too, and keeps them apart from events', async () => {
      pair = await makePair();
      const controlsA: string[] = [];
      const controlsB: string[] = [];
      pair.a.onControl((p) => controlsA.push(p));
      const offB = pair.b.onControl((p) => controlsB.push(p));
      const events = collect(pair.b);
      const eventsOnA = collect(pair.a);
      await pair.a.publishControl('{"type":"revoke","sessions":["s1"]}');
      await pair.a.publish({ stream: 'theatre:1', seq: 1, payload: '{}' });
      // Published after the control message by the same publisher: once the event is in, so is the control one.
      await Promise.all([events.until(1), eventsOnA.until(1)]);
      expect(controlsA).toEqual(['{"type":"revoke","sessions":["s1"]}']);
      expect(controlsB).toEqual(controlsA);
      expect(events.got).toEqual([{ stream: 'theatre:1', seq: 1, payload: '{}' }]);
      offB();
      await pair.a.publishControl('second');
      await pair.a.publish({ stream: 'theatre:1', seq: 2, payload: '{}' });
      await events.until(2);
      expect(controlsB).toHaveLength(1);
    });

    it('says it is healthy when connected', async () => {
      pair = await makePair();
      expect(pair.a.healthy).toBe(true);
    });
  });
}
