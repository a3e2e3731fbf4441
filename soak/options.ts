import { parseArgs } from 'node:util';

export interface SoakOptions {
  minutes: number;
  processes: number;
  /** New orders per second (each then lives its own life over a few seconds). */
  rate: number;
  /** Allowed growth of the last third's median memory over the first third's (0.25 = 25 %). */
  memoryMargin: number;
  databaseUrl: string;
  redisUrl: string;
  /** Where to write the figures as JSON, if anywhere. */
  json: string | undefined;
}

const USAGE = `usage: npm run soak -- [--minutes N] [--processes N] [--rate ORDERS_PER_S] [--memory-margin 0.25] [--json FILE]
  needs DATABASE_URL (postgres://...) and REDIS_URL; SOAK_MINUTES sets the default duration (10).`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"\n${USAGE}`);
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string' },
      processes: { type: 'string' },
      rate: { type: 'string' },
      'memory-margin': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) throw new Error(USAGE);
  const databaseUrl = env.DATABASE_URL ?? '';
  const redisUrl = env.REDIS_URL ?? '';
  if (!/^postgres(ql)?:\/\//.test(databaseUrl) || !/^rediss?:\/\//.test(redisUrl)) {
    throw new Error(`the soak runs on PostgreSQL and Redis: set DATABASE_URL=postgres://... and REDIS_URL=redis://...\n${USAGE}`);
  }
  return {
    minutes: positive('--minutes', values.minutes ?? env.SOAK_MINUTES, 10),
    processes: Math.round(positive('--processes', values.processes, 3)),
    rate: positive('--rate', values.rate, 2),
    memoryMargin: positive('--memory-margin', values['memory-margin'], 0.25),
    databaseUrl,
    redisUrl,
    json: values.json,
  };
}
