// The load generator: a separate process (pinned to its own CPU by the harness) that runs
// every phase against one running target and prints a LoadResult as its last stdout line.
// Usage: node --import tsx bench/loadgen.ts '<LoadPlan JSON>'
import { connectorFor } from './lib/gen-clients.js';
import type { LoadPlan, LoadResult } from './lib/plan.js';
import { ServerProbe } from './lib/server-probe.js';
import { acceptPhase, idleMemoryPhase, warmUp } from './phases/connect-phase.js';
import { fanoutPhase } from './phases/fanout-phase.js';
import { refusePhase } from './phases/refuse-phase.js';

function log(line: string): void {
  process.stderr.write(`[loadgen] ${line}\n`);
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '') as LoadPlan;
  const server = new ServerProbe(plan.serverPid);
  const connect = connectorFor(plan.client, plan.port);
  const notes: string[] = [];

  log(`${plan.target}: idle memory of ${plan.conns} conns`);
  const memory = await idleMemoryPhase(connect, plan, server);
  await warmUp(connect, plan, server);
  log(`${plan.target}: accept ${plan.conns} conns, ${plan.inflight} in flight`);
  const connect_ = await acceptPhase(connect, plan, server, memory);
  if (connect_.failed > 0) notes.push(`${connect_.failed} of ${connect_.attempted} connections failed to open`);
  log(`${plan.target}: refuse ${plan.conns} wrong-key conns`);
  const refuse = await refusePhase(connect, plan, server);
  if (refuse.wronglyAccepted > 0) notes.push(`${refuse.wronglyAccepted} wrong-key connections were ACCEPTED`);
  const fanout = [];
  for (const s of plan.subscribers) {
    log(`${plan.target}: fan-out to ${s} subscribers, ${plan.broadcasts} broadcasts at ${plan.rate}/s`);
    const f = await fanoutPhase(connect, plan, server, s);
    if (f.connected < s) notes.push(`fan-out ${s}: only ${f.connected} subscribers connected`);
    if (!f.drained) notes.push(`fan-out ${s}: deliveries still missing 30 s after the last broadcast; CPU and latency cover what had arrived`);
    if (f.failedBroadcastPosts > 0) notes.push(`fan-out ${s}: ${f.failedBroadcastPosts} POST /broadcast did not answer 204`);
    fanout.push(f);
  }
  const result: LoadResult = { target: plan.target, connect: connect_, refuse, fanout, notes };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[loadgen] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
