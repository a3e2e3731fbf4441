// Command-line options of `npm run bench`, with defaults that finish in a few minutes on 2 cores.
import { parseArgs } from 'node:util';
import { TARGETS } from '../targets/index.js';

export interface BenchOptions {
  targets: string[];
  reps: number;
  conns: number;
  inflight: number;
  subscribers: number[];
  broadcasts: number;
  rate: number;
  size: number;
  /** End to end (scan2food only): staff sockets, engines, and webhook phases (interval × seconds). */
  e2eStaff: number;
  e2eModes: string[];
  e2ePhases: string;
  /** 100,000 idle authenticated connections on one process; 0 skips the phase. */
  idleConns: number;
  /** Relay throughput on PostgreSQL: events committed, and relay processes; 0 events skips it. */
  relayEvents: number;
  relayProcesses: number;
  /** Write V8 CPU profiles of the end-to-end servers here. */
  cpuProf: string | undefined;
  quick: boolean;
}

const DEFAULTS = {
  reps: 3,
  conns: 2000,
  inflight: 200,
  subscribers: [1000, 5000, 10000],
  broadcasts: 50,
  rate: 10,
  size: 256,
  e2eStaff: 1000,
  e2eModes: ['sqlite', 'postgres', 'cluster'],
  e2ePhases: '100x60,20x10',
  idleConns: 100_000,
  relayEvents: 60_000,
  relayProcesses: 3,
} as const;

/** --quick: tiny sizes for a smoke run (one repetition, seconds per target). */
const QUICK = {
  reps: 1,
  conns: 50,
  inflight: 10,
  subscribers: [20, 50],
  broadcasts: 5,
  rate: 20,
  size: 64,
  e2eStaff: 20,
  e2eModes: ['sqlite'],
  e2ePhases: '100x2,20x1',
  idleConns: 2_000,
  relayEvents: 2_000,
  relayProcesses: 2,
} as const;

export const USAGE = `npm run bench -- [options]
  --targets a,b        targets to run (default: all: ${Object.keys(TARGETS).join(', ')})
  --reps N             repetitions, a fresh server each (default ${DEFAULTS.reps})
  --conns N            connections opened in the accept and refuse phases (default ${DEFAULTS.conns})
  --inflight K         handshakes in flight at once (default ${DEFAULTS.inflight})
  --subscribers a,b,c  fan-out sizes (default ${DEFAULTS.subscribers.join(',')})
  --broadcasts N       broadcasts per fan-out size (default ${DEFAULTS.broadcasts})
  --rate R             broadcasts per second (default ${DEFAULTS.rate})
  --size BYTES         message size (default ${DEFAULTS.size})
  --e2e-staff N        scan2food end to end: staff sockets (default ${DEFAULTS.e2eStaff})
  --e2e a,b            end-to-end engines: sqlite, postgres, cluster (3 processes, PostgreSQL + Redis), none (default ${DEFAULTS.e2eModes.join(',')})
  --e2e-phases P       webhook phases, <interval ms>x<seconds>, comma-separated (default ${DEFAULTS.e2ePhases})
  --idle N             idle authenticated connections on one process, scan2food and bare ws (default ${DEFAULTS.idleConns})
  --skip-idle          skip that phase (it takes about 4 minutes at 100,000)
  --relay-events N     relay throughput on PostgreSQL: events committed (default ${DEFAULTS.relayEvents}); --skip-relay skips it
  --relay-processes N  relay processes (default ${DEFAULTS.relayProcesses})
  --cpu-prof DIR       write CPU profiles of the end-to-end servers to DIR (summarise: bench/profile-summary.ts)
  --quick              tiny sizes, one repetition (explicit options still win)`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return v;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      targets: { type: 'string' },
      reps: { type: 'string' },
      conns: { type: 'string' },
      inflight: { type: 'string' },
      subscribers: { type: 'string' },
      broadcasts: { type: 'string' },
      rate: { type: 'string' },
      size: { type: 'string' },
      'e2e-staff': { type: 'string' },
      e2e: { type: 'string' },
      'e2e-phases': { type: 'string' },
      idle: { type: 'string' },
      'skip-idle': { type: 'boolean', default: false },
      'relay-events': { type: 'string' },
      'skip-relay': { type: 'boolean', default: false },
      'relay-processes': { type: 'string' },
      'cpu-prof': { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const base = values.quick ? QUICK : DEFAULTS;
  const targets = values.targets ? values.targets.split(',').map((t) => t.trim()) : Object.keys(TARGETS);
  for (const t of targets) if (!TARGETS[t]) throw new Error(`unknown target "${t}"; known: ${Object.keys(TARGETS).join(', ')}`);
  const subscribers = values.subscribers
    ? values.subscribers.split(',').map((s) => positiveInt('subscribers', s.trim(), 0))
    : [...base.subscribers];
  return {
    targets,
    reps: positiveInt('reps', values.reps, base.reps),
    conns: positiveInt('conns', values.conns, base.conns),
    inflight: positiveInt('inflight', values.inflight, base.inflight),
    subscribers: subscribers.sort((a, b) => a - b),
    broadcasts: positiveInt('broadcasts', values.broadcasts, base.broadcasts),
    rate: positiveInt('rate', values.rate, base.rate),
    size: positiveInt('size', values.size, base.size),
    e2eStaff: positiveInt('e2e-staff', values['e2e-staff'], base.e2eStaff),
    e2eModes: (values.e2e ?? base.e2eModes.join(',')).split(',').map((m) => m.trim()).filter((m) => m && m !== 'none'),
    e2ePhases: values['e2e-phases'] ?? base.e2ePhases,
    idleConns: values['skip-idle'] ? 0 : positiveInt('idle', values.idle, base.idleConns),
    relayEvents: values['skip-relay'] ? 0 : positiveInt('relay-events', values['relay-events'], base.relayEvents),
    relayProcesses: positiveInt('relay-processes', values['relay-processes'], base.relayProcesses),
    cpuProf: values['cpu-prof'],
    quick: values.quick,
  };
}
