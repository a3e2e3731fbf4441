import { afterEach, describe, expect, it } from 'vitest';
import type { PresenceStore } from './presence-store.js';

/** What "two processes" means for an engine: two stores on one shared backend. */
export interface PresencePair {
  a: PresenceStore;
  b: PresenceStore;
  close(): Promise<void>;
}

/** The one contract every PresenceStore engine passes (see the interface's comment). */
export function presenceStoreContract(engine: string, makePair: () => Promise<PresencePair>): void {
  describe(`PresenceStore contract: ${engine}`, () => {
    let pair: PresencePair | undefined;
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('answers online to the first process that counts a theatre and offline to the one that ends it', async () => {
      pair = await makePair();
      const { a, b } = pair;
      expect((await a.setCount(7, 1)).transition).toEqual({ theatreId: 7, online: true, connections: 1 });
      expect((await b.setCount(7, 2)).transition).toBeNull();
      expect(await a.online()).toEqual([{ theatreId: 7, connections: 3 }]);
      expect((await a.setCount(7, 0)).transition).toBeNull();
      expect((await b.setCount(7, 1)).transition).toBeNull();
      expect((await b.setCount(7, 0)).transition).toEqual({ theatreId: 7, online: false, connections: 0 });
      expect(await b.online()).toEqual([]);
    });

    it('sets counts idempotently: setting the same count again changes nothing', async () => {
      pair = await makePair();
      const { a, b } = pair;
      await a.setCount(3, 2);
      expect((await a.setCount(3, 2)).transition).toBeNull();
      expect(await b.online()).toEqual([{ theatreId: 3, connections: 2 }]);
    });

    it('answers each transition to exactly one of many concurrent callers', async () => {
      pair = await makePair();
      const { a, b } = pair;
      const ups = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).setCount(100 + (i % 4), 1 + (i % 3))));
      expect(ups.filter((r) => r.transition?.online).map((r) => r.transition!.theatreId).sort()).toEqual([100, 101, 102, 103]);
      const downs = await Promise.all([a, b].flatMap((s) => [100, 101, 102, 103].map((t) => s.setCount(t, 0))));
      expect(downs.filter((r) => r.transition && !r.transition.online).map((r) => r.transition!.theatreId).sort()).toEqual([100, 101, 102, 103]);
    });

    it('a graceful leave lets the next sweep take the leaver out', async () => {
      pair = await makePair();
      const { a, b } = pair;
      await a.heartbeat();
      await b.heartbeat();
      await a.setCount(5, 1);
      await b.setCount(9, 1);
      await b.setCount(5, 1);
      await a.leave();
      const swept = await b.sweep();
      expect(swept.filter((t) => t.theatreId === 9)).toEqual([]);
      expect(await b.online()).toEqual([{ theatreId: 5, connections: 1 }, { theatreId: 9, connections: 1 }]);
    });
  });
}
