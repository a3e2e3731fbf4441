import { connectOpen, type TestSocket } from './ws-client.js';

/** A test socket that also notes when each message arrived (for latency figures). */
export interface TimedSocket {
  socket: TestSocket;
  arrivals: number[];
}

export async function connectTimed(url: string): Promise<TimedSocket> {
  const socket = await connectOpen(url);
  const arrivals: number[] = [];
  socket.ws.prependListener('message', () => arrivals.push(Date.now()));
  return { socket, arrivals };
}

/** Milliseconds from each event's `at` (written) to its arrival, for the messages of these types. */
export function latencies(t: TimedSocket, types: string[]): number[] {
  const out: number[] = [];
  t.socket.messages.forEach((m, i) => {
    if (types.includes(String(m.type)) && typeof m.at === 'string') out.push((t.arrivals[i] ?? 0) - Date.parse(m.at));
  });
  return out;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
