import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from './route-schemas.js';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

/**
 * The docs page loads only its own files (no inline script, no CDN), like the web app. Swagger
 * UI's bundle styles its widgets with inline styles, so those are allowed here, as on the Razorpay
 * checkout page: styles only, never scripts.
 */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Every route's error answers are the catalogue's one shape; declared once here so each route
 * declares only what it answers when it succeeds.
 */
function withErrorAnswers(route: RouteOptions): void {
  const response = route.schema?.response as Record<string, unknown> | undefined;
  if (!response) return;
  for (const range of ['4xx', '5xx']) if (!(range in response)) response[range] = errorBody;
}

/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas, at /api/openapi.json, and
 * Swagger UI over it at /api/docs. Register before the routes: it collects them as they are added.
 */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', withErrorAnswers);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'scan2food HTTP API',
        version: '1',
        description:
          'In-seat food ordering for cinemas. Errors are {"error":{"code","message"}} (docs/api.md); money is integer paise. ' +
          'Staff and admins authenticate with the session cookie of POST /api/auth/login; guests with their order token (Authorization: Bearer).',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 's2f_session' },
          orderToken: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.withTypeProvider<ZodTypeProvider>().get(
    OPENAPI_PATH,
    { schema: { tags: ['documentation'], response: { 200: z.looseObject({ openapi: z.literal('3.1.0') }).meta({ description: 'this document' }) } } },
    async () => app.swagger() as unknown as { openapi: '3.1.0' },
  );
  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PATH,
    staticCSP: DOCS_CSP,
    uiConfig: { validatorUrl: null, deepLinking: false },
  });
}
