import type { FastifyInstance } from 'fastify';

/**
 * Headers every answer carries, whatever route, error or static file sent it: `nosniff` so a
 * browser never runs a JSON or text answer as a script or style because it "looks like" one.
 * Pages add their own Content-Security-Policy (web.routes.ts, checkout.routes.ts).
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
}
