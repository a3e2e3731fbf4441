/**
 * The one parser of a request target (`req.url`) for everything that reads credentials from the
 * query string and everything that logs a URL: the socket authentication and the log redaction
 * must agree on which parameter is `key` or `ticket`, whatever way its name is percent-encoded
 * (`?%6Bey=` is `key` to URLSearchParams, so it must be `key` to the redaction too).
 */
export interface QueryPair {
  /** The pair as it appeared in the target, still encoded. */
  raw: string;
  /** Its name as it appeared, still encoded. */
  rawName: string;
  /** Name and value decoded exactly as WHATWG URLSearchParams decodes them. */
  name: string;
  value: string;
}

export interface RequestTarget {
  pathname: string;
  pairs: QueryPair[];
}

const BASE = 'http://request-target.invalid';

/** Null for a target no URL parser accepts. The fragment, which no credential lives in, is dropped. */
export function parseRequestTarget(target: string): RequestTarget | null {
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return null;
  }
  const pairs: QueryPair[] = [];
  for (const raw of url.search.slice(1).split('&')) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    // URLSearchParams over one pair decodes it exactly as it decodes that pair within the whole query.
    const [name = '', value = ''] = new URLSearchParams(raw).entries().next().value ?? [];
    pairs.push({ raw, rawName: eq < 0 ? raw : raw.slice(0, eq), name, value });
  }
  return { pathname: url.pathname, pairs };
}

/** Every value of `name` (decoded), in order, like URLSearchParams.getAll. */
export function queryValues(target: RequestTarget, name: string): string[] {
  return target.pairs.filter((p) => p.name === name).map((p) => p.value);
}
