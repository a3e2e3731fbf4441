import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { generateSecret } from '../../src/keys/keys-file.js';

export interface TestKeys {
  liveOrders: string;
  payment: string;
  chat: string;
}

export interface TestApp {
  app: App;
  port: number;
  dataDir: string;
  keys: TestKeys;
  /** Every log line written so far, raw. */
  logLines: string[];
  ws(path: string): string;
  http(path: string): string;
  close(): Promise<void>;
}

/** Fresh keys for every test app: tests never reuse a key from anywhere. */
export function freshKeys(): TestKeys {
  return { liveOrders: generateSecret(), payment: generateSecret(), chat: generateSecret() };
}

/** Builds the real app on 127.0.0.1 port 0 with its own data folder, keys and captured logs. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'scan2food-test-'));
  const keys = freshKeys();
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    LIVE_ORDERS_WS_KEY: keys.liveOrders,
    PAYMENT_STATUS_WS_KEY: keys.payment,
    CHAT_WS_KEY: keys.chat,
    SHUTDOWN_GRACE_MS: '1000',
    ...env,
  });
  const logLines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      cb();
    },
  });
  const app = await buildApp(config, { logStream });
  const { port } = await app.listen();
  return {
    app,
    port,
    dataDir,
    keys,
    logLines,
    ws: (path) => `ws://127.0.0.1:${port}${path}`,
    http: (path) => `http://127.0.0.1:${port}${path}`,
    close: () => app.close(),
  };
}
