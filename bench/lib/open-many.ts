// Opens N connections keeping at most K handshakes in flight; bounded in count and time.
import type { ConnectOutcome } from './gen-clients.js';

export interface OpenManyResult {
  outcomes: ConnectOutcome[];
  /** Per started attempt, start → outcome. */
  handshakeMs: Float64Array;
  wallMs: number;
  /** True when the deadline stopped it before N attempts were made. */
  cutShort: boolean;
}

export async function openMany(
  n: number,
  inflight: number,
  open: (index: number) => Promise<ConnectOutcome>,
  deadlineMs: number,
): Promise<OpenManyResult> {
  const outcomes: ConnectOutcome[] = [];
  const handshakeMs = new Float64Array(n);
  const started = performance.now();
  const deadline = started + deadlineMs;
  let next = 0;
  let cutShort = false;
  const worker = async () => {
    while (next < n) {
      if (performance.now() > deadline) {
        cutShort = true;
        return;
      }
      const index = next++;
      const t0 = performance.now();
      const outcome = await open(index);
      handshakeMs[index] = performance.now() - t0;
      outcomes[index] = outcome;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inflight, n) }, worker));
  const made = outcomes.length;
  return { outcomes, handshakeMs: handshakeMs.subarray(0, made), wallMs: performance.now() - started, cutShort };
}
