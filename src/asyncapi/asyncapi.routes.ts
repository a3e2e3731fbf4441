import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { asyncApiDocument } from './asyncapi.document.js';

export const ASYNCAPI_PATH = '/api/asyncapi.json';

/**
 * Serves the sockets' AsyncAPI document, built once. The answer is our own document, so it is
 * sent as built (this route's own serializer), whatever compiler the app's routes use.
 */
export function asyncApiRoutes(fastify: FastifyInstance): void {
  const document = JSON.stringify(asyncApiDocument());
  fastify.get(
    ASYNCAPI_PATH,
    {
      schema: { tags: ['documentation'], response: { 200: z.looseObject({ asyncapi: z.literal('3.0.0') }).meta({ description: 'The AsyncAPI 3.0 description of the three sockets' }) } },
      serializerCompiler: () => (data) => (typeof data === 'string' ? data : JSON.stringify(data)),
    },
    async (_req, reply) => reply.type('application/json; charset=utf-8').send(document),
  );
}
