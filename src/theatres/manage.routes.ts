import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signedIn } from '../accounts/session.http.js';
import { answerOf, idParams, named, noContent } from '../http/route-schemas.js';
import type { Theatre } from './theatre.repository.js';
import type { Layout } from './venue.repository.js';
import { createTheatreBody, namedBody, seatsBody, updateTheatreBody } from './manage.input.js';
import type { VenueService } from './venue.service.js';
import { theatreSettingsView } from './theatre.schemas.js';

const config = { auth: 'session' } as const;
const tags = ['theatres'];

export const theatreView = answerOf<Theatre>()(
  z
    .object({
      id: z.number().int(),
      name: z.string(),
      orderLimit: z.number().int(),
      cashEnabled: z.boolean(),
      serviceEndTime: z.string().nullable(),
      unseenAlertSeconds: z.number().int().nullable(),
      notificationPhones: z.array(z.string()),
      ...theatreSettingsView,
    })
    .meta({ id: 'Theatre' }),
);
const theatreAnswer = z.object({ theatre: theatreView });
const layoutView = answerOf<Layout>()(z.object({ halls: z.array(named.extend({ rows: z.array(named.extend({ seats: z.array(named) })) })) }));

/** Theatres and their halls, rows and seats for staff (read) and admins (write). See docs/api.md. */
export function manageRoutes(app: FastifyInstance, deps: { venue: VenueService }): void {
  const { venue } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/theatres', { config, schema: { tags, response: { 200: z.object({ theatres: z.array(theatreView) }) } } }, async (req) => ({
    theatres: await venue.listTheatres(signedIn(req)),
  }));

  r.get('/api/theatres/:id', { config, schema: { tags, params: idParams('theatre'), response: { 200: theatreAnswer } } }, async (req) => ({
    theatre: await venue.getTheatre(signedIn(req), req.params.id),
  }));

  r.post('/api/theatres', { config, schema: { tags, body: createTheatreBody, response: { 201: theatreAnswer } } }, async (req, reply) =>
    reply.status(201).send({ theatre: await venue.createTheatre(signedIn(req), req.body) }),
  );

  r.patch('/api/theatres/:id', { config, schema: { tags, params: idParams('theatre'), body: updateTheatreBody, response: { 200: theatreAnswer } } }, async (req) => ({
    theatre: await venue.updateTheatre(signedIn(req), req.params.id, req.body),
  }));

  r.get('/api/theatres/:id/layout', { config, schema: { tags, params: idParams('theatre'), response: { 200: layoutView } } }, async (req) =>
    venue.layout(signedIn(req), req.params.id),
  );

  r.post(
    '/api/theatres/:id/halls',
    { config, schema: { tags, params: idParams('theatre'), body: namedBody, response: { 201: z.object({ hall: named }) } } },
    async (req, reply) => {
      const [hall] = await venue.create(signedIn(req), 'halls', req.params.id, [req.body.name]);
      return reply.status(201).send({ hall: hall! });
    },
  );

  r.post('/api/halls/:id/rows', { config, schema: { tags, params: idParams('hall'), body: namedBody, response: { 201: z.object({ row: named }) } } }, async (req, reply) => {
    const [row] = await venue.create(signedIn(req), 'seat_rows', req.params.id, [req.body.name]);
    return reply.status(201).send({ row: row! });
  });

  r.post(
    '/api/rows/:id/seats',
    { config, schema: { tags, params: idParams('row'), body: seatsBody, response: { 201: z.object({ seats: z.array(named) }) } } },
    async (req, reply) => reply.status(201).send({ seats: await venue.create(signedIn(req), 'seats', req.params.id, req.body.names) }),
  );

  const places = [
    { path: 'halls', table: 'halls', key: 'hall' },
    { path: 'rows', table: 'seat_rows', key: 'row' },
    { path: 'seats', table: 'seats', key: 'seat' },
  ] as const;
  for (const p of places) {
    r.patch(
      `/api/${p.path}/:id`,
      { config, schema: { tags, params: idParams(p.key), body: namedBody, response: { 200: z.object({ [p.key]: named }) } } },
      async (req) => ({ [p.key]: await venue.rename(signedIn(req), p.table, req.params.id, req.body.name) }),
    );
    r.delete(`/api/${p.path}/:id`, { config, schema: { tags, params: idParams(p.key), response: { 204: noContent } } }, async (req, reply) => {
      await venue.remove(signedIn(req), p.table, req.params.id);
      return reply.status(204).send();
    });
  }
}
