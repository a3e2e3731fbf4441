import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { generateSecret } from '../../src/keys/keys-file.js';

export const CLI = fileURLToPath(new URL('../../bin/scan2food.js', import.meta.url));

export interface SpawnedServer {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs `scan2food serve` as users do (the built CLI) and resolves once it prints its address. */
export function spawnServer(env: Record<string, string>, timeoutMs = 10_000): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${err}\n${out}`));
    }, timeoutMs);
    const check = () => {
      const m = /running at http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), stdout: () => out, stderr: () => err, exited });
      }
    };
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      check();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${err}\n${out}`));
    });
  });
}

/** Runs a CLI command to completion. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/**
 * The environment of `scan2food serve` processes that behave as one server: one PostgreSQL
 * schema, one Redis prefix, and socket keys and signing secrets generated for this run (tests
 * never reuse a key). `PAYMENT_WEBHOOK_SECRET` is returned so a test can sign webhooks.
 */
export function clusterEnv(opts: { databaseUrl: string; schema: string; redisUrl: string }): Record<string, string> & { PAYMENT_WEBHOOK_SECRET: string } {
  return {
    DATABASE_URL: opts.databaseUrl,
    DATABASE_SCHEMA: opts.schema,
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: `scan2food:test:${randomUUID()}:`,
    LIVE_ORDERS_WS_KEY: generateSecret(),
    PAYMENT_STATUS_WS_KEY: generateSecret(),
    CHAT_WS_KEY: generateSecret(),
    TICKET_SECRET: generateSecret(),
    PAYMENT_WEBHOOK_SECRET: generateSecret(),
  };
}
