// The broadcast payload: `<seq>|<sentAt ms, generator clock>|xxxx…` padded to the asked size.
// Parsed from the raw bytes on the hot path so the generator spends little per delivery.

const SEPARATOR = 0x7c; // '|'
const PAD = 'x';

export function encodeBenchMessage(seq: number, sentAtMs: number, size: number): string {
  const head = `${seq}|${sentAtMs.toFixed(3)}|`;
  return head.length >= size ? head : head + PAD.repeat(size - head.length);
}

export interface BenchMessage {
  seq: number;
  sentAtMs: number;
}

/** Returns undefined for anything not made by encodeBenchMessage. */
export function decodeBenchBytes(data: Uint8Array): BenchMessage | undefined {
  let i = 0;
  let seq = 0;
  for (; i < data.length && data[i] !== SEPARATOR; i++) {
    const d = data[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    seq = seq * 10 + d;
  }
  if (i === 0 || i >= data.length) return undefined;
  const start = ++i;
  let whole = 0;
  let frac = 0;
  let scale = 1;
  let inFraction = false;
  for (; i < data.length && data[i] !== SEPARATOR; i++) {
    const c = data[i]!;
    if (c === 0x2e && !inFraction) {
      inFraction = true;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return undefined;
    if (inFraction) {
      scale /= 10;
      frac += d * scale;
    } else whole = whole * 10 + d;
  }
  if (i === start || i >= data.length) return undefined;
  return { seq, sentAtMs: whole + frac };
}

export function decodeBenchString(text: string): BenchMessage | undefined {
  const a = text.indexOf('|');
  const b = a < 0 ? -1 : text.indexOf('|', a + 1);
  if (a <= 0 || b <= a + 1) return undefined;
  const seq = Number(text.slice(0, a));
  const sentAtMs = Number(text.slice(a + 1, b));
  return Number.isInteger(seq) && Number.isFinite(sentAtMs) ? { seq, sentAtMs } : undefined;
}

const ENVELOPE_DATA = Buffer.from('"data":"');
const OPEN_BRACE = 0x7b;

/**
 * A frame from a target that wraps messages in an event envelope (scan2food:
 * `{"type":"bench",…,"data":"<seq>|<sentAt>|xxx"}`): the benchmark message inside, or null for
 * a frame that carries none (hello, snapshot), which is not a delivery at all. Plain frames
 * (the bare targets) decode as they are.
 */
export function decodeBenchFrame(data: Uint8Array): BenchMessage | undefined | null {
  if (data[0] !== OPEN_BRACE) return decodeBenchBytes(data);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const at = bytes.indexOf(ENVELOPE_DATA);
  if (at < 0) return null;
  return decodeBenchBytes(bytes.subarray(at + ENVELOPE_DATA.length));
}
