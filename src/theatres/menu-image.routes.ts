import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signedIn, type SessionAuth } from '../accounts/session.http.js';
import { idParams, noContent } from '../http/route-schemas.js';
import { MAX_MENU_IMAGE_BYTES, MENU_IMAGE_KEY, MENU_IMAGE_TYPES, type MenuImageService, type PhotoFolder } from './menu-image.js';
import { menuItemView } from './menu.routes.js';
import { MENU_IMAGE_PATH } from './theatre.repository.js';

const tags = ['menu'];
/** A photo's name changes with its content, so a browser keeps it as long as it likes. */
const FOREVER = 'public, max-age=31536000, immutable';

const photoBody = z
  .instanceof(Buffer)
  .meta({ description: 'the photo: a JPEG, PNG or WebP file, at most 5 MB, sent as it is', type: 'string', format: 'binary' });
const webp = { content: { 'image/webp': { schema: z.any().meta({ description: 'the photo, WebP' }) } } };

/**
 * `PUT|DELETE /api/menu-items/:id/image` (also `/api/menu/items/:id/image`) (staff of the item's theatre, admins) and the photos
 * themselves at `/media/menu/<key>`. The upload takes the raw file: its own scope reads any
 * content type as bytes, up to MAX_MENU_IMAGE_BYTES (413 beyond, without reading the rest), and
 * menu-image.ts decides what it really is. The session is checked as the request arrives, before
 * any of the body is read, so no one without one makes the server hold 5 MB.
 */
export function menuImageRoutes(app: FastifyInstance, deps: { images: MenuImageService; folder: PhotoFolder; sessions: Pick<SessionAuth, 'require'> }): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_MENU_IMAGE_BYTES }, (_req, body, done) => done(null, body));
    const r = scope.withTypeProvider<ZodTypeProvider>();

    // The item routes' own spelling, and the one issue 12 names: the same handlers.
    for (const path of ['/api/menu-items/:id/image', '/api/menu/items/:id/image']) {
      r.put(
        path,
        {
          config: { auth: 'session' },
          onRequest: async (req) => void (await deps.sessions.require(req)),
          bodyLimit: MAX_MENU_IMAGE_BYTES,
          schema: { tags, consumes: Object.keys(MENU_IMAGE_TYPES), params: idParams('menu item'), body: photoBody.optional(), response: { 200: z.object({ item: menuItemView }) } },
        },
        async (req) => ({
          item: await deps.images.upload(signedIn(req), req.params.id, req.headers['content-type'], req.body ?? Buffer.alloc(0)),
        }),
      );

      r.delete(
        path,
        { config: { auth: 'session' }, schema: { tags, params: idParams('menu item'), response: { 204: noContent } } },
        async (req, reply) => {
          await deps.images.remove(signedIn(req), req.params.id);
          return reply.status(204).send();
        },
      );
    }
  });

  app.withTypeProvider<ZodTypeProvider>().get(
    `${MENU_IMAGE_PATH}:key`,
    { schema: { tags, params: z.object({ key: z.string() }), response: { 200: webp } } },
    async (req, reply) => {
      const photo = MENU_IMAGE_KEY.test(req.params.key) ? await deps.folder.get(req.params.key) : null;
      if (!photo) return reply.callNotFound();
      return reply.header('cache-control', FOREVER).type('image/webp').send(photo);
    },
  );
}
