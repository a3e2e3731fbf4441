import type { FastifyInstance } from 'fastify';
import type { SessionAuth } from '../accounts/session.http.js';
import { parseId, parseInput } from '../http/validate.js';
import { createItemBody, namedBody, updateItemBody } from './manage.input.js';
import type { MenuService } from './menu.service.js';

type Id = { Params: { id: string } };

/** A theatre's menu: staff read it and switch availability; admins edit it. See docs/api.md. */
export function menuRoutes(app: FastifyInstance, deps: { menu: MenuService; sessions: SessionAuth }): void {
  const { menu, sessions } = deps;

  app.get<Id>('/api/theatres/:id/menu', async (req) => {
    const who = await sessions.require(req);
    return menu.menuOf(who, parseId(req.params.id, 'theatre'));
  });

  app.post<Id>('/api/theatres/:id/menu-categories', async (req, reply) => {
    const who = await sessions.require(req);
    const id = parseId(req.params.id, 'theatre');
    return reply.status(201).send({ category: await menu.createCategory(who, id, parseInput(namedBody, req.body).name) });
  });

  app.patch<Id>('/api/menu-categories/:id', async (req) => {
    const who = await sessions.require(req);
    const id = parseId(req.params.id, 'menu category');
    return { category: await menu.renameCategory(who, id, parseInput(namedBody, req.body).name) };
  });

  app.post<Id>('/api/menu-categories/:id/items', async (req, reply) => {
    const who = await sessions.require(req);
    const id = parseId(req.params.id, 'menu category');
    return reply.status(201).send({ item: await menu.createItem(who, id, parseInput(createItemBody, req.body)) });
  });

  app.patch<Id>('/api/menu-items/:id', async (req) => {
    const who = await sessions.require(req);
    const id = parseId(req.params.id, 'menu item');
    return { item: await menu.updateItem(who, id, parseInput(updateItemBody, req.body)) };
  });
}
