import proxyaddr from 'proxy-addr';

export type TrustProxy = boolean | number | string[];
export type TrustFn = (addr: string, hop: number) => boolean;

/**
 * One decision, used by Fastify for HTTP and by the gateway for upgrades: which hops may tell us
 * the client's address through `X-Forwarded-For`. Off by default, so a client cannot pick the
 * address its failed logins are counted against.
 */
export function compileTrust(trust: TrustProxy): TrustFn {
  if (trust === true) return () => true;
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_addr, hop) => hop < trust;
  return proxyaddr.compile(trust);
}
