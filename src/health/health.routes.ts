import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Metrics } from '../observability/metrics.js';

/** A dependency /readyz asks before saying the process can take traffic. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

/** `/healthz`: the process is up. `/readyz`: its dependencies answer. `/metrics`: Prometheus text. */
export function healthRoutes(app: FastifyInstance, deps: { metrics: Metrics; checks: ReadinessCheck[]; draining: () => boolean }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['operations'];
  r.get('/healthz', { schema: { tags, response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  const readiness = z.object({ status: z.enum(['ready', 'draining', 'not_ready']), checks: z.record(z.string(), z.enum(['ok', 'down'])) });
  r.get('/readyz', { schema: { tags, response: { 200: readiness, 503: readiness } } }, async (_req, reply) => {
    const results: Record<string, 'ok' | 'down'> = {};
    await Promise.all(
      deps.checks.map(async (c) => {
        results[c.name] = await c.check().then(
          (ok) => (ok ? 'ok' : 'down'),
          () => 'down',
        );
      }),
    );
    const ready = !deps.draining() && Object.values(results).every((r) => r === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : deps.draining() ? 'draining' : 'not_ready', checks: results });
  });

  const metricsText = { content: { 'text/plain': { schema: z.string().meta({ description: 'Prometheus text exposition format' }) } } };
  r.get('/metrics', { schema: { tags, response: { 200: metricsText } } }, async (_req, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
