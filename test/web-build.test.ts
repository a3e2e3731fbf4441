import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const BUILD = join(process.cwd(), 'dist', 'public');
/** Words shorter than this are ordinary words ("local", "bin"), not secrets. */
const MIN_WORD = 10;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function keysFileValues(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => /^[A-Z0-9_]+=(.*)$/.exec(l.trim())?.[1] ?? '')
      .flatMap((v) => v.split(','))
      .filter((v) => v.length > 0);
  } catch {
    return [];
  }
}

describe('the built web app', () => {
  let t: TestApp;
  const secrets = { PAYMENT_WEBHOOK_SECRET: generateSecret(), TICKET_SECRET: generateSecret() };

  beforeAll(async () => {
    t = await startTestApp(secrets);
  });
  afterAll(() => t.close());

  it('carries no key, secret or word of any environment value, in any file of the build', () => {
    const files = filesUnder(BUILD);
    expect(files.some((f) => f.endsWith('index.html'))).toBe(true);
    expect(files.length).toBeGreaterThan(3);
    const needles = new Set<string>([
      t.keys.liveOrders,
      t.keys.payment,
      t.keys.chat,
      ...Object.values(secrets),
      ...keysFileValues(join(t.dataDir, 'keys.env')),
    ]);
    for (const value of Object.values(process.env)) {
      for (const word of (value ?? '').split(/[^A-Za-z0-9_+=-]+/)) if (word.length >= MIN_WORD) needles.add(word);
    }
    const found: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'latin1');
      for (const needle of needles) if (text.includes(needle)) found.push(`${file.slice(BUILD.length)} contains ${needle.slice(0, 4)}…`);
    }
    expect(found).toEqual([]);
  });

  it('answers every page route with the app, with a strict content security policy, and the hashed assets with long caching', async () => {
    for (const path of ['/', '/s/1', '/o/1', '/staff', '/staff/menu', '/staff/orders', '/staff/chat', '/staff/reports', '/admin', '/admin/theatres/1', '/admin/halls/1/qr']) {
      const res = await fetch(t.http(path));
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await res.text();
      expect(html).toContain('<div id="app">');
    }
    const index = await (await fetch(t.http('/staff'))).text();
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(t.http(script!));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(t.http('/assets/nope.js'))).status).toBe(404);
    const api = await fetch(t.http('/api/nope'));
    expect(api.status).toBe(404);
  });
});
