import type { FastifyInstance, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appError, fieldsError, HTTP_ERRORS, issuePath } from './errors.js';

/*
 * Route schemas are zod (fastify-type-provider-zod types the handlers and feeds @fastify/swagger);
 * these compilers keep the API's answers what they were before schemas moved into the routes:
 * a path that names nothing is 404 (ids are written canonically, so `0244` names nothing), any
 * other mismatch 400 `validation_failed` with zod's readable summary.
 */

/** Validates a request part; the handler receives zod's output (transforms applied). */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const parsed = schema.safeParse(data);
    if (parsed.success) return { value: parsed.data };
    if (httpPart === 'params') return { error: appError('not_found', parsed.error.issues[0]?.message) };
    // A header is one value: its own message says it all.
    if (httpPart === 'headers') return { error: appError('validation_failed', parsed.error.issues[0]?.message) };
    // `fields` lets a form put each message next to its field; `message` stays the whole summary.
    const fields = parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message }));
    return { error: fieldsError('validation_failed', z.prettifyError(parsed.error), fields) };
  };

/**
 * Checks an answer against its declared schema, then sends the handler's value itself: the bytes
 * (key order, fields) stay exactly what the handler built, and an answer that drifted from its
 * documented shape fails loudly instead of reaching a client.
 */
export const serializerCompiler: FastifySerializerCompiler<z.ZodType> =
  ({ schema, method, url }) =>
  (data) => {
    const checked = schema.safeParse(data);
    if (!checked.success) throw new ResponseSerializationError(method, url, { cause: checked.error });
    return JSON.stringify(data);
  };

/**
 * The largest id a row can have: ids are `serial` (int4) on PostgreSQL, so a larger number in a
 * query is an error there (a 500), not "no such row". Every id taken from outside is checked
 * against it at the edge.
 */
export const MAX_ID = 2 ** 31 - 1;

/** An id in a JSON body or query: a whole number from 1 to MAX_ID. */
export const bodyId = () => z.number().int().min(1).max(MAX_ID);

/** A numeric id in a path, written canonically (`244`, never `0244`); anything else is 404 "No such <what>.". */
export const pathId = (what: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, `No such ${what}.`)
    .transform(Number)
    .refine((id) => id <= MAX_ID, `No such ${what}.`)
    .meta({ description: `the ${what}'s id` });

/** `{ id }` path parameters naming one `what`. */
export const idParams = (what: string) => z.object({ id: pathId(what) });

/** Every refusal: `{"error":{"code","message"}}` (src/http/errors.ts). */
export const errorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(HTTP_ERRORS) as [keyof typeof HTTP_ERRORS]),
      message: z.string(),
      fields: z.array(z.object({ path: z.string(), message: z.string() })).optional().meta({ description: 'the fields at fault in a refused body, each with its message' }),
    }),
  })
  .meta({ id: 'Error' });

/** An answer without a body (204). */
export const noContent = z.undefined().meta({ description: 'No content' });

/** A name and id (halls, rows, seats, categories). */
export const named = z.object({ id: z.number().int(), name: z.string() });

/** Makes `app` read its routes' schemas as zod (every route of this service declares them so). */
export function installRouteSchemas(app: FastifyInstance): void {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
}

/**
 * An answer's schema, checked at compile time against the server's own type of that answer:
 * every `T` the services return must pass the schema, so a view changed on one side and not the
 * other fails the type check, not a client.
 */
export const answerOf =
  <T>() =>
  <S extends z.ZodType>(schema: S & ([T] extends [z.input<S>] ? unknown : never)): S =>
    schema;
