import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signedIn } from '../accounts/session.http.js';
import { answerOf, idParams } from '../http/route-schemas.js';
import type { InvoiceReader, InvoiceService } from './invoice.service.js';
import type { InvoiceView } from './invoice.view.js';

const paise = (description: string) => z.number().int().meta({ description: `paise: ${description}` });

/** SPEC §6 invoice, checked against the server's type. */
export const invoiceView = answerOf<InvoiceView>()(
  z
    .object({
      invoiceNumber: z.string().meta({ description: '<invoicePrefix>/<YYYY-YY>/<n>' }),
      issuedAt: z.string().meta({ description: 'when the order was confirmed (ISO 8601, UTC)' }),
      seller: z.object({ legalName: z.string().nullable(), gstin: z.string().nullable(), address: z.string().nullable() }),
      buyer: z.object({ phone: z.string() }),
      lines: z.array(z.object({ name: z.string(), quantity: z.number().int(), unitPrice: paise('menu price when ordered'), amount: paise('unitPrice × quantity') })),
      subtotal: paise('Σ line amounts'),
      discount: z.number().int(),
      taxes: z.array(z.object({ name: z.string(), rate: z.number(), amount: z.number().int() })),
      total: paise('what was charged'),
      creditNotes: z.array(z.object({ number: z.string().meta({ description: 'CN/<YYYY-YY>/<n>' }), issuedAt: z.string(), amount: z.number().int() })),
    })
    .meta({ id: 'Invoice' }),
);

const tags = ['invoices'];
const pdfBody = {
  content: { 'application/pdf': { schema: z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ description: 'the invoice as an A4 PDF (attachment)', type: 'string', format: 'binary' }) } },
};

/** Who reads: the guest whose token named this order, else the signed-in staff or admin. */
const readerOf = (req: FastifyRequest): InvoiceReader => (req.guestOf !== null ? 'guest' : signedIn(req).actor);

/**
 * `GET /api/orders/<id>/invoice` and `/invoice.pdf`: the same rule as `GET /api/orders/<id>`
 * (`config.auth: 'order'`): the order token, or a session of that theatre or an admin. Anything
 * else that names an order, and an order not confirmed yet, is 404.
 */
export function invoiceRoutes(app: FastifyInstance, deps: { invoices: InvoiceService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/orders/:id/invoice',
    { config: { auth: 'order' }, schema: { tags, params: idParams('order'), response: { 200: invoiceView } } },
    async (req, reply) => {
      void reply.header('cache-control', 'private, no-store');
      return deps.invoices.invoice(req.params.id, readerOf(req));
    },
  );

  r.get(
    '/api/orders/:id/invoice.pdf',
    { config: { auth: 'order' }, schema: { tags, params: idParams('order'), response: { 200: pdfBody } } },
    async (req, reply) => {
      const pdf = await deps.invoices.pdf(req.params.id, readerOf(req));
      return reply
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="${pdf.filename}"`)
        .type('application/pdf')
        .send(pdf.bytes);
    },
  );
}
