// Figure (b): server CPU per connection refused for a wrong key, and where it was refused
// (an HTTP status before the upgrade, or a close/error after it).
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectOutcome, Connector } from '../lib/gen-clients.js';
import { openMany } from '../lib/open-many.js';
import type { LoadPlan, RefuseFigures } from '../lib/plan.js';
import { ownCpuUs, type ServerProbe } from '../lib/server-probe.js';
import { percentileSorted, sortedCopy } from '../lib/stats.js';
import { HANDSHAKE_TIMEOUT_MS, OPEN_DEADLINE_MS, REFUSAL_CLOSE_WAIT_MS } from './limits.js';

const ignore = () => {};

/** A 101 for a wrong key counts as a refusal only if the server then closes the socket. */
async function attemptWrongKey(connect: Connector, key: string): Promise<ConnectOutcome | { kind: 'accepted' }> {
  const outcome = await connect(key, ignore, HANDSHAKE_TIMEOUT_MS);
  if (outcome.kind !== 'open') return outcome;
  const closedBy = await Promise.race([outcome.conn.ended, sleep(REFUSAL_CLOSE_WAIT_MS, undefined)]);
  outcome.conn.destroy();
  return closedBy === undefined ? { kind: 'accepted' } : { kind: 'refused', where: 'after-upgrade', detail: closedBy };
}

export async function refusePhase(connect: Connector, plan: LoadPlan, server: ServerProbe): Promise<RefuseFigures> {
  await server.waitQuiet();
  const cpu0 = server.cpuUs();
  const gen0 = ownCpuUs();
  let wronglyAccepted = 0;
  const where: Record<string, number> = {};
  const run = await openMany(
    plan.conns,
    plan.inflight,
    async () => {
      const o = await attemptWrongKey(connect, plan.wrongKey);
      if (o.kind === 'accepted') wronglyAccepted++;
      if (o.kind === 'refused') {
        const label = `${o.where} ${o.detail}`;
        where[label] = (where[label] ?? 0) + 1;
      }
      // openMany only keeps outcomes; an accepted wrong key is tallied above.
      return o.kind === 'accepted' ? { kind: 'failed', reason: 'accepted' } : o;
    },
    OPEN_DEADLINE_MS,
  );
  await server.waitQuiet();
  const serverCpuUs = server.cpuUs() - cpu0;
  const genCpuUs = ownCpuUs() - gen0;
  const refused = run.outcomes.filter((o) => o.kind === 'refused').length;
  return {
    attempted: run.outcomes.length,
    refused,
    wronglyAccepted,
    failed: run.outcomes.length - refused - wronglyAccepted,
    where,
    serverCpuUs,
    serverCpuPerRefusedUs: refused > 0 ? serverCpuUs / refused : NaN,
    genCpuUs,
    handshakeP50Ms: percentileSorted(sortedCopy(run.handshakeMs), 50),
  };
}
