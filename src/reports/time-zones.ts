/**
 * Local calendar arithmetic in IANA time zones, for reports. Node's Intl (full ICU) knows every
 * zone; SQLite knows none, so the report gives it the zone's UTC offsets over the range instead.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at instant `ms`, in minutes (Asia/Kolkata: 330). */
export function offsetMinutes(zone: string, ms: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** 'YYYY-MM-DD' as UTC midnight ms, or null when it is no calendar date. */
export function parseDate(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === date ? ms : null;
}

export const DAY_MS = 86_400_000;

/** The instant local midnight starts the calendar day `dateMs` (UTC midnight ms of that date) in `zone`. */
export function localMidnight(zone: string, dateMs: number): number {
  let guess = dateMs - offsetMinutes(zone, dateMs) * 60_000;
  const corrected = dateMs - offsetMinutes(zone, guess) * 60_000;
  // Across a change of offset the second reading is the one in force at that midnight.
  if (corrected !== guess) guess = corrected;
  return guess;
}

export interface OffsetSegment {
  /** The offset holds for instants before this one (ISO-8601 UTC); null: to the end of the range. */
  until: string | null;
  minutes: number;
}

/**
 * The zone's offsets over [startMs, endMs): one segment per offset in force, in time order. Found
 * by reading the offset every 6 hours (zones change offset at most a few times a year, never twice
 * in 6 hours) and bisecting to the minute where it changed.
 */
export function offsetSegments(zone: string, startMs: number, endMs: number): OffsetSegment[] {
  const STEP = 6 * 3_600_000;
  const segments: OffsetSegment[] = [];
  let current = offsetMinutes(zone, startMs);
  let at = startMs;
  while (at < endMs) {
    const next = Math.min(at + STEP, endMs);
    const offset = offsetMinutes(zone, next);
    if (offset !== current) {
      let lo = at;
      let hi = next;
      while (hi - lo > 60_000) {
        const mid = lo + Math.max(60_000, Math.floor((hi - lo) / 120_000) * 60_000);
        if (offsetMinutes(zone, mid) === current) lo = mid;
        else hi = mid;
      }
      segments.push({ until: new Date(hi).toISOString(), minutes: current });
      current = offset;
    }
    at = next;
  }
  segments.push({ until: null, minutes: current });
  return segments;
}
