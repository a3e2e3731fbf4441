import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../observability/metrics.js';

/** A dependency /readyz asks before saying the process can take traffic. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

/** `/healthz`: the process is up. `/readyz`: its dependencies answer. `/metrics`: Prometheus text. */
export function healthRoutes(app: FastifyInstance, deps: { metrics: Metrics; checks: ReadinessCheck[]; draining: () => boolean }): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
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

  app.get('/metrics', async (_req, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
