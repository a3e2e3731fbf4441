import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The pages of the single-page app: each answers its index.html, the app routes in the browser. */
export const PAGE_ROUTES = ['/', '/s/:seatId', '/o/:orderId', '/staff', '/staff/*', '/admin', '/admin/*'] as const;

/**
 * What the pages may load and connect to: only this origin (scripts, styles, the worker, the
 * API and the sockets), images also as data: URLs (the QR codes). Nothing inline runs.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin');
}

/**
 * Serves the built web app (`npm run build` puts it in `dir`, dist/public): hashed assets under `/assets/`
 * with long caching, and index.html for every page route. Without a build, the pages say how
 * to make one instead of failing obscurely.
 */
export async function webRoutes(app: FastifyInstance, deps: { dir: string }): Promise<void> {
  const built = existsSync(join(deps.dir, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: join(deps.dir, 'assets'),
      prefix: '/assets/',
      index: false,
      wildcard: true,
      maxAge: '365d',
      immutable: true,
    });
  }
  const html = { content: { 'text/html': { schema: z.string().meta({ description: "the web app's index.html; the app routes in the browser" }) } } };
  const notBuilt = { content: { 'text/plain': { schema: z.string().meta({ description: 'the web app is not built' }) } } };
  for (const url of PAGE_ROUTES) {
    // Path parameters are the browser app's to read; the server answers the same page for any.
    const params = url.includes(':') ? z.object(Object.fromEntries([...url.matchAll(/:(\w+)/g)].map((m) => [m[1]!, z.string()]))) : undefined;
    const wildcard = url.endsWith('*') ? z.object({ '*': z.string() }) : undefined;
    const schema = { tags: ['pages'], ...(params ?? wildcard ? { params: params ?? wildcard } : {}), response: { 200: html, 503: notBuilt } };
    app.withTypeProvider<ZodTypeProvider>().get(url, { schema }, async (_req, reply) => {
      if (!built) {
        return reply.status(503).type('text/plain; charset=utf-8').send('The web app is not built. Run `npm install` (or `npm run build`).\n');
      }
      return pageHeaders(reply).sendFile('index.html', deps.dir, { maxAge: 0, cacheControl: false });
    });
  }
}
