/**
 * Theatres keep Indian Standard Time (UTC+05:30, no daylight saving), so "the orders of
 * 2026-11-29" means those placed from 2026-11-28T18:30Z up to 2026-11-29T18:30Z. One fixed
 * offset for every theatre while the product serves India only; a per-theatre time zone would
 * replace this constant.
 */
export const THEATRE_UTC_OFFSET_MINUTES = 5 * 60 + 30;

/** The [from, to) ISO-8601 UTC bounds of a theatre's calendar day `date` (YYYY-MM-DD); null if no such date. */
export function theatreDayRange(date: string): { from: string; to: string } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const midnightUtc = Date.UTC(y, mo - 1, d);
  const check = new Date(midnightUtc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  const from = midnightUtc - THEATRE_UTC_OFFSET_MINUTES * 60_000;
  return { from: new Date(from).toISOString(), to: new Date(from + 24 * 60 * 60_000).toISOString() };
}
