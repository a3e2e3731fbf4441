import type { FastifyInstance } from 'fastify';
import type { SessionAuth } from '../accounts/session.http.js';
import { parseId, parseInput } from '../http/validate.js';
import { createTheatreBody, namedBody, seatsBody, updateTheatreBody } from './manage.input.js';
import type { VenueService } from './venue.service.js';

type Id = { Params: { id: string } };

/** Theatres and their halls, rows and seats for staff (read) and admins (write). See docs/api.md. */
export function manageRoutes(app: FastifyInstance, deps: { venue: VenueService; sessions: SessionAuth }): void {
  const { venue, sessions } = deps;

  app.get('/api/theatres', async (req) => ({ theatres: await venue.listTheatres(await sessions.require(req)) }));

  app.get<Id>('/api/theatres/:id', async (req) => {
    const who = await sessions.require(req);
    return { theatre: await venue.getTheatre(who, parseId(req.params.id, 'theatre')) };
  });

  app.post('/api/theatres', async (req, reply) => {
    const who = await sessions.require(req);
    const theatre = await venue.createTheatre(who, parseInput(createTheatreBody, req.body));
    return reply.status(201).send({ theatre });
  });

  app.patch<Id>('/api/theatres/:id', async (req) => {
    const who = await sessions.require(req);
    const id = parseId(req.params.id, 'theatre');
    return { theatre: await venue.updateTheatre(who, id, parseInput(updateTheatreBody, req.body)) };
  });

  app.get<Id>('/api/theatres/:id/layout', async (req) => {
    const who = await sessions.require(req);
    return venue.layout(who, parseId(req.params.id, 'theatre'));
  });

  app.post<Id>('/api/theatres/:id/halls', async (req, reply) => {
    const who = await sessions.require(req);
    const id = parseId(req.params.id, 'theatre');
    const [hall] = await venue.create(who, 'halls', id, [parseInput(namedBody, req.body).name]);
    return reply.status(201).send({ hall });
  });

  app.post<Id>('/api/halls/:id/rows', async (req, reply) => {
    const who = await sessions.require(req);
    const id = parseId(req.params.id, 'hall');
    const [row] = await venue.create(who, 'seat_rows', id, [parseInput(namedBody, req.body).name]);
    return reply.status(201).send({ row });
  });

  app.post<Id>('/api/rows/:id/seats', async (req, reply) => {
    const who = await sessions.require(req);
    const id = parseId(req.params.id, 'row');
    const seats = await venue.create(who, 'seats', id, parseInput(seatsBody, req.body).names);
    return reply.status(201).send({ seats });
  });

  const places = [
    { path: 'halls', table: 'halls', key: 'hall' },
    { path: 'rows', table: 'seat_rows', key: 'row' },
    { path: 'seats', table: 'seats', key: 'seat' },
  ] as const;
  for (const p of places) {
    app.patch<Id>(`/api/${p.path}/:id`, async (req) => {
      const who = await sessions.require(req);
      const id = parseId(req.params.id, p.key);
      return { [p.key]: await venue.rename(who, p.table, id, parseInput(namedBody, req.body).name) };
    });
    app.delete<Id>(`/api/${p.path}/:id`, async (req, reply) => {
      const who = await sessions.require(req);
      await venue.remove(who, p.table, parseId(req.params.id, p.key));
      return reply.status(204).send();
    });
  }
}
