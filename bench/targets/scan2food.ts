// scan2food through its real path: the app built by buildApp (upgrade authentication, gateway,
// hub), with `POST /broadcast` written to the outbox of the `theatres` stream in a database
// transaction and published by the relay through the bus: exactly how an order event travels.
// The live-orders key is BENCH_KEY, so every accepted socket follows `theatres`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { EventRepository } from '../../src/streams/event.repository.js';
import { ALL_THEATRES_STREAM } from '../../src/streams/stream-names.js';
import { BIND_HOST, BROADCAST_PATH, MAX_BROADCAST_BYTES, collectGarbageOnSignal, readKeyFromEnv } from './target-kit.js';

const key = readKeyFromEnv();
// Only what the target is given: an inherited DATABASE_URL (CI exports one) must not point the
// benchmark at a shared database. SCAN2FOOD_REDIS_URL selects the Redis engines.
const config = loadConfig({
  PATH: process.env.PATH,
  ...(process.env.SCAN2FOOD_REDIS_URL ? { REDIS_URL: process.env.SCAN2FOOD_REDIS_URL, REDIS_PREFIX: `bench:${process.pid}:` } : {}),
  NODE_ENV: 'development',
  HOST: BIND_HOST,
  PORT: '0',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-bench-')),
  LIVE_ORDERS_WS_KEY: key,
  // The refusal phase sends thousands of wrong keys from one address; the per-address limit
  // would turn them into 429s and then lock the generator out. Measured here: the key check.
  AUTH_FAIL_LIMIT: '1000000000',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
});

// Logs are produced as in production (one line per upgrade) and thrown away.
const app = await buildApp(config, {
  logStream: pino.destination({ dest: '/dev/null', sync: true }),
  routes: (fastify) => {
    fastify.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: MAX_BROADCAST_BYTES }, (_req, body, done) => done(null, body));
    fastify.post(BROADCAST_PATH, { bodyLimit: MAX_BROADCAST_BYTES }, async (req, reply) => {
      const message = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      await app.db.transaction().execute((trx) => new EventRepository(trx).append(trx, ALL_THEATRES_STREAM, 'bench', message, new Date()));
      void app.relay.kick();
      return reply.status(204).send();
    });
  },
});
const address = await app.listen();

const stop = () => {
  void app.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
collectGarbageOnSignal();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop).on('error', stop).resume();
process.stdout.write(`${JSON.stringify({ port: address.port, pid: process.pid })}\n`);
