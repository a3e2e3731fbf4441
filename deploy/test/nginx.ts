import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const CONF = new URL('../nginx/scan2food.conf', import.meta.url);

/** Debian's nginx, installed from the package when missing (CI runs as root). */
export function ensureNginx(log: (line: string) => void): string {
  const found = spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (found) return found;
  log('nginx is missing: installing Debian\'s package');
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'nginx']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.status})`);
  }
  return '/usr/sbin/nginx';
}

export interface Rendered {
  dir: string;
  accessLog: string;
  errorLog: string;
  mainConf: string;
}

/** What a test run may break on purpose, to see the matching check fail (DEPLOY_BREAK). */
export type Break = 'access-log' | 'trust-proxy' | undefined;

/**
 * deploy/nginx/scan2food.conf with only what differs on this machine substituted: the upstream
 * ports, unprivileged listen ports on 127.0.0.1, and certificate and log paths under `dir`.
 * Every substitution must hit, so the file cannot drift away from what is tested.
 */
export function renderNginx(opts: { dir: string; upstreamPorts: number[]; httpsPort: number; httpPort: number; broken: Break }): Rendered {
  const { dir } = opts;
  for (const sub of ['logs', 'tmp', 'acme']) mkdirSync(join(dir, sub), { recursive: true });
  let conf = readFileSync(CONF, 'utf8');
  const replace = (from: string | RegExp, to: string) => {
    const next = conf.replace(from, to);
    if (next === conf) throw new Error(`deploy/nginx/scan2food.conf no longer contains ${String(from)}`);
    conf = next;
  };
  opts.upstreamPorts.forEach((port, i) => replace(`server 127.0.0.1:${8001 + i} `, `server 127.0.0.1:${port} `));
  replace(/listen 80;/, `listen 127.0.0.1:${opts.httpPort};`);
  replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${opts.httpsPort} ssl http2;`);
  // This machine may have no IPv6 loopback; the IPv4 listens above are what is tested.
  replace(/\n\s*listen \[::\]:80;/, '');
  replace(/\n\s*listen \[::\]:443 ssl http2;/, '');
  replace(/\/etc\/ssl\/scan2food\//g, `${dir}/`);
  replace(/\/var\/log\/nginx\//g, `${dir}/logs/`);
  replace(/\/var\/www\/letsencrypt/, `${dir}/acme`);
  if (opts.broken === 'access-log') replace('"$request_method $uri $server_protocol"', '"$request_method $request_uri $server_protocol"');
  writeFileSync(join(dir, 'scan2food.conf'), conf);
  const mainConf = join(dir, 'nginx.conf');
  // The parts of Debian's /etc/nginx/nginx.conf the site file relies on, with paths of its own.
  writeFileSync(
    mainConf,
    [
      'worker_processes 2;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/logs/main-error.log warn;`,
      'events { worker_connections 4096; }',
      'http {',
      '  include /etc/nginx/mime.types;',
      '  default_type application/octet-stream;',
      '  sendfile on;',
      `  access_log ${dir}/logs/http-level-access.log combined;`,
      `  client_body_temp_path ${dir}/tmp/body;`,
      `  proxy_temp_path ${dir}/tmp/proxy;`,
      `  fastcgi_temp_path ${dir}/tmp/fastcgi;`,
      `  uwsgi_temp_path ${dir}/tmp/uwsgi;`,
      `  scgi_temp_path ${dir}/tmp/scgi;`,
      `  include ${dir}/scan2food.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  return { dir, accessLog: join(dir, 'logs', 'scan2food.access.log'), errorLog: join(dir, 'logs', 'scan2food.error.log'), mainConf };
}

/** A self-signed certificate for 127.0.0.1 and localhost, made for this run. */
export function selfSignedCertificate(dir: string): void {
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'privkey.pem'), '-out', join(dir, 'fullchain.pem')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
}

export interface RunningNginx {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** nginx in the foreground (daemon off) with its own prefix, pid and logs; `stop` quits it gracefully. */
export async function startNginx(bin: string, r: Rendered, port: number): Promise<RunningNginx> {
  const test = spawnSync(bin, ['-t', '-p', r.dir, '-c', r.mainConf, '-e', join(r.dir, 'logs', 'main-error.log')], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx -t refused the rendered configuration:\n${test.stderr}`);
  const child = spawn(bin, ['-p', r.dir, '-c', r.mainConf, '-e', join(r.dir, 'logs', 'main-error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('nginx did not start listening');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    /** Graceful quit; sockets still open after 3 s (a client that never closes) are cut. */
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGQUIT');
      const fast = setTimeout(() => child.kill('SIGTERM'), 3_000);
      await exited;
      clearTimeout(fast);
    },
  };
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
