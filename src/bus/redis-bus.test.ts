import { randomUUID } from 'node:crypto';
import { RedisBus } from './redis-bus.js';
import { eventBusContract } from './event-bus.contract.js';
import { requireRedisUrl } from '../../test/support/services.js';

const url = await requireRedisUrl();

if (url) {
  eventBusContract('redis', async () => {
    const channel = `scan2food:test:${randomUUID()}`;
    const a = new RedisBus({ url, channel });
    const b = new RedisBus({ url, channel });
    await Promise.all([a.ready(), b.ready()]);
    return { a, b, close: async () => (await a.close(), await b.close()) };
  });
}
