/**
 * SPEC §2: a request without `Origin` (a server or script) passes; with one, it must be in the
 * allow-list, or, without a list, name the same host and port as the request's `Host`.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowed: string[] | null): boolean {
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (allowed) return allowed.includes(parsed.origin);
  if (!host) return false;
  try {
    // Parsing the Host with the Origin's scheme normalises default ports (":443" equals none).
    return new URL(`${parsed.protocol}//${host}`).host === parsed.host;
  } catch {
    return false;
  }
}
