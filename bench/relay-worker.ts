// One process of bench/relay-throughput.ts: the app's OutboxRelay on a shared PostgreSQL schema
// and Redis channel. stdin commands: `drain` (publish the backlog, answer `drained <count>`),
// `write <per second> <count>` (commit events at that rate, each kicking this process's relay as
// uow.write does, answer `written`).
import { createInterface } from 'node:readline';
import type { BusMessage, EventBus } from '../src/bus/event-bus.js';
import { RedisBus } from '../src/bus/redis-bus.js';
import { createDatabase } from '../src/db/database.js';
import { createLogger } from '../src/observability/logger.js';
import { EventRepository } from '../src/streams/event.repository.js';
import { OutboxRelay } from '../src/streams/outbox-relay.js';

const env = process.env as Record<string, string>;
const db = await createDatabase({ databaseUrl: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, sqliteFile: '', poolSize: 4, migrations: 'none' });
const redis = new RedisBus({ url: env.REDIS_URL!, channel: env.CHANNEL });
await redis.ready();
let published = 0;
// Counts what this process published, and passes it on.
const bus: EventBus = Object.assign(Object.create(redis) as EventBus, {
  publishAll: async (messages: readonly BusMessage[]) => {
    await redis.publishAll(messages);
    published += messages.length;
  },
});
const events = new EventRepository(db.db);
const relay = new OutboxRelay(events, bus, createLogger('warn'), { pollMs: 3_600_000, batch: 500 });
process.stdout.write('ready\n');

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, a, b] = line.split(' ');
  if (cmd === 'drain') {
    relay.start();
    await relay.kick();
    process.stdout.write(`drained ${published}\n`);
  } else if (cmd === 'write') {
    const perSecond = Number(a);
    const count = Number(b);
    const t0 = performance.now();
    const pending: Promise<unknown>[] = [];
    /** [stream, seq, commit time (epoch ms)] of every event written. */
    const committed: [string, number, number][] = [];
    for (let i = 0; i < count; i++) {
      const due = t0 + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const stream = `live:${env.WORKER}:${i % 10}`;
      pending.push(
        db.db
          .transaction()
          .execute((trx) => events.append(trx, stream, 'bench', {}, new Date()))
          .then((e) => {
            committed.push([e.stream, e.seq, performance.timeOrigin + performance.now()]);
            void relay.kick();
          }),
      );
    }
    await Promise.all(pending);
    process.stdout.write(`written ${JSON.stringify(committed)}\n`);
  }
}
await relay.stop();
await redis.close();
await db.close();
process.exit(0);
