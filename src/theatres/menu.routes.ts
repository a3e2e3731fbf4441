import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signedIn } from '../accounts/session.http.js';
import { answerOf, idParams, named } from '../http/route-schemas.js';
import type { MenuItemView } from './menu.repository.js';
import type { MenuView } from './menu.service.js';
import { createItemBody, namedBody, updateItemBody } from './manage.input.js';
import type { MenuService } from './menu.service.js';
import { guestItemFields } from './theatre.schemas.js';

const config = { auth: 'session' } as const;
const tags = ['menu'];

export const menuItemView = answerOf<MenuItemView>()(
  z
    .object({ ...guestItemFields, categoryId: z.number().int(), sortOrder: z.number().int() })
    .meta({ id: 'MenuItem' }),
);
const menuView = answerOf<MenuView>()(z.object({ categories: z.array(named.extend({ items: z.array(menuItemView) })) }));

/** A theatre's menu: staff read it and switch availability; admins edit it. See docs/api.md. */
export function menuRoutes(app: FastifyInstance, deps: { menu: MenuService }): void {
  const { menu } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/theatres/:id/menu', { config, schema: { tags, params: idParams('theatre'), response: { 200: menuView } } }, async (req) =>
    menu.menuOf(signedIn(req), req.params.id),
  );

  r.post(
    '/api/theatres/:id/menu-categories',
    { config, schema: { tags, params: idParams('theatre'), body: namedBody, response: { 201: z.object({ category: named }) } } },
    async (req, reply) => reply.status(201).send({ category: await menu.createCategory(signedIn(req), req.params.id, req.body.name) }),
  );

  r.patch(
    '/api/menu-categories/:id',
    { config, schema: { tags, params: idParams('menu category'), body: namedBody, response: { 200: z.object({ category: named }) } } },
    async (req) => ({ category: await menu.renameCategory(signedIn(req), req.params.id, req.body.name) }),
  );

  r.post(
    '/api/menu-categories/:id/items',
    { config, schema: { tags, params: idParams('menu category'), body: createItemBody, response: { 201: z.object({ item: menuItemView }) } } },
    async (req, reply) => reply.status(201).send({ item: await menu.createItem(signedIn(req), req.params.id, req.body) }),
  );

  r.patch(
    '/api/menu-items/:id',
    { config, schema: { tags, params: idParams('menu item'), body: updateItemBody, response: { 200: z.object({ item: menuItemView }) } } },
    async (req) => ({ item: await menu.updateItem(signedIn(req), req.params.id, req.body) }),
  );
}
