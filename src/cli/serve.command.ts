import { buildApp } from '../app.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { ensureDemo, type DemoResult } from '../seed/demo.js';
import { markRunning } from '../backup/running-servers.js';
import { describeStartupError } from './startup-error.js';

/**
 * `scan2food serve` (what `npm start` runs): start, print where to go, reload keys on SIGHUP,
 * drain on SIGTERM/SIGINT (every socket closed with 1001) and exit 0.
 */
export async function runServe(env: NodeJS.ProcessEnv): Promise<number> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`scan2food: cannot start.\n${err.message}\n`);
      return 1;
    }
    throw err;
  }
  for (const warning of config.warnings) process.stderr.write(`scan2food: WARNING: ${warning}\n`);
  let app;
  let demo: DemoResult | null = null;
  let address;
  try {
    app = await buildApp(config);
    for (const warning of config.warnings) app.logger.warn({ event: 'config_warning' }, warning);
    // Production never gets demo data: an empty database there is a theatre waiting for its seed file.
    if (!config.production) demo = await ensureDemo(app.db);
    address = await app.listen();
  } catch (err) {
    process.stderr.write(`scan2food: cannot start: ${describeStartupError(err, config)}\n`);
    await app?.close().catch(() => undefined);
    return 1;
  }
  const base = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const banner = [
    '',
    `  scan2food is running at ${base}`,
    `  mode: ${config.production ? 'production' : 'development'}; database: ${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`}; bus: ${config.redisUrl ? 'Redis' : 'in-process'}`,
    `  socket keys and secrets: ${config.keysFile}${config.generated.length ? ` (generated now: ${config.generated.join(', ')})` : ''}`,
    `  health: ${base}/healthz   metrics: ${base}/metrics`,
    '',
  ];
  if (demo) {
    banner.push(
      '  A demo theatre was created on this empty database:',
      `    guest menu (what a seat's QR code opens): ${base}/s/${demo.sampleSeatId}`,
      `    staff dashboard: ${base}/staff   admin: ${base}/admin`,
      ...demo.logins.map((l) => `    ${l.role.padEnd(5)} login: ${l.username} / ${l.password}`),
      '  These passwords are shown once; load real theatres with: npx scan2food seed FILE.json',
      '',
    );
  }
  // Signals first: a SIGTERM that comes the moment the banner says "running" must drain, not kill.
  // Tells `scan2food restore` this data folder is in use (SQLite only: PostgreSQL has its own tools).
  const unmark = config.databaseUrl ? () => undefined : markRunning(config.dataDir);
  process.on('SIGHUP', () => app.reloadKeys('SIGHUP'));
  const exited = new Promise<number>((resolveExit) => {
    const stop = (signal: string) => {
      app.logger.info({ event: 'stopping', signal }, 'draining connections');
      app.close().then(
        () => (unmark(), resolveExit(0)),
        (err: unknown) => {
          unmark();
          app.logger.error({ err }, 'shutdown failed');
          resolveExit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  process.stderr.write(`${banner.join('\n')}\n`);
  app.logger.info({ event: 'started', port: address.port, host: address.address }, 'scan2food started');
  return exited;
}
