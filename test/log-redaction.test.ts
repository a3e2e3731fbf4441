import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { MemorySingleUseStore } from '../src/tickets/single-use-store.js';
import { TicketService } from '../src/tickets/ticket.service.js';
import { spawnServer, type SpawnedServer } from './support/spawn-server.js';
import { connect, connectOpen } from './support/ws-client.js';

/**
 * SPEC §2: logs never contain a key or a ticket, however the parameter name is encoded. The
 * server runs as users run it (the built CLI, debug logging), and every line it wrote is searched.
 */
describe('no key or ticket reaches the log of a running server', () => {
  const env = {
    LIVE_ORDERS_WS_KEY: generateSecret(),
    PAYMENT_STATUS_WS_KEY: generateSecret(),
    CHAT_WS_KEY: generateSecret(),
    TICKET_SECRET: generateSecret(),
    PAYMENT_WEBHOOK_SECRET: generateSecret(),
    WHATSAPP_VERIFY_TOKEN: generateSecret(),
    AUTH_FAIL_LIMIT: '1000',
    LOG_LEVEL: 'debug',
  };
  let server: SpawnedServer;
  const url = (path: string, scheme = 'ws') => `${scheme}://127.0.0.1:${server.port}${path}`;

  beforeAll(async () => {
    server = await spawnServer({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-redact-')) }, 20_000);
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGTERM');
    await server?.exited;
  });

  it('redacts percent-encoded `key` and `ticket` names on sockets and HTTP alike', async () => {
    const tickets = new TicketService(env.TICKET_SECRET, 60, new MemorySingleUseStore());
    const ticket = (await tickets.mint('live-orders', { kind: 'admin' })).ticket;
    const spare = (await tickets.mint('chat', { kind: 'admin' })).ticket;

    const byKey = await connectOpen(url(`/ws/all-seat-datasocket/?%6Bey=${env.LIVE_ORDERS_WS_KEY}`));
    await byKey.next('hello');
    const byTicket = await connectOpen(url(`/ws/all-seat-datasocket/?%74icket=${ticket}`));
    await byTicket.next('hello');
    byKey.close();
    byTicket.close();
    // Refused ones are logged too: a key of another socket, a key and a ticket together.
    expect(await connect(url(`/ws/chat-socket/?k%65y=${env.PAYMENT_STATUS_WS_KEY}`))).toMatchObject({ status: 401 });
    expect(await connect(url(`/ws/chat-socket/?%6B%65%79=${env.CHAT_WS_KEY}&tick%65t=${spare}`))).toMatchObject({ status: 401 });
    for (const path of [
      `/healthz?%6Bey=${env.LIVE_ORDERS_WS_KEY}`,
      `/api/nowhere?%74icket=${spare}&KEY=${env.CHAT_WS_KEY}`,
      `/api/whatsapp/webhook?hub.mode=subscribe&hub%2Everify_token=${env.WHATSAPP_VERIFY_TOKEN}&hub.challenge=1`,
    ]) {
      await (await fetch(url(path, 'http'))).text();
    }
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const log = `${server.stdout()}\n${server.stderr()}`;
    expect(log.match(/\[redacted\]/g)?.length ?? 0).toBeGreaterThanOrEqual(8);
    for (const [name, secret] of Object.entries({ ...env, ticket, spare })) {
      if (name === 'AUTH_FAIL_LIMIT' || name === 'LOG_LEVEL') continue;
      expect(log.includes(secret), `${name} in the log`).toBe(false);
    }
  });
});
