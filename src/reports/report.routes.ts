import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signedIn } from '../accounts/session.http.js';
import { answerOf, bodyId } from '../http/route-schemas.js';
import { salesCsv } from './report.csv.js';
import { REPORT_GROUPS, type SalesReport } from './report.service.js';
import type { ReportService } from './report.service.js';
import { parseDate } from './time-zones.js';

const date = z.string().refine((d) => parseDate(d) !== null, 'must be a date, YYYY-MM-DD');
const paise = z.number().int().meta({ description: 'paise' });
const figures = { orders: z.number().int(), gross: paise, discount: paise, tax: paise, refunds: paise, net: paise };
const salesRow = z.object({ key: z.string(), ...figures }).meta({ id: 'SalesRow' });
const itemRow = z.object({ key: z.string().meta({ description: 'item name' }), itemId: z.number().int(), quantity: z.number().int(), gross: paise }).meta({ id: 'ItemSalesRow' });
const base = { from: z.string(), to: z.string() };

const salesReport = answerOf<SalesReport>()(
  z
    .union([
      z.object({
        ...base,
        groupBy: z.enum(['day', 'month', 'hour', 'paymentMethod', 'theatre']),
        rows: z.array(salesRow),
        totals: z.object({ ...figures, avgDeliveryMinutes: z.number().nullable().meta({ description: 'mean minutes from confirmation to delivery (one decimal); null when none delivered' }) }),
      }),
      z.object({ ...base, groupBy: z.literal('item'), rows: z.array(itemRow), totals: z.object({ quantity: z.number().int(), gross: paise }) }),
    ])
    .meta({ id: 'SalesReport' }),
);

/** `GET /api/reports/sales` (SPEC §6 "Reports"), JSON or CSV. See docs/api.md. */
export function reportRoutes(app: FastifyInstance, deps: { reports: ReportService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/reports/sales',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['reports'],
        querystring: z.strictObject({
          from: date,
          to: date,
          groupBy: z.enum(REPORT_GROUPS).default('day'),
          theatreId: z.coerce.number().pipe(bodyId()).optional(),
          format: z.enum(['json', 'csv']).optional(),
        }),
        response: { 200: salesReport.or(z.string().meta({ description: 'text/csv' })) },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const report = await deps.reports.sales(signedIn(req).actor, { from: q.from, to: q.to, groupBy: q.groupBy, theatreId: q.theatreId });
      const csv = q.format === 'csv' || (q.format === undefined && /\btext\/csv\b/i.test(req.headers.accept ?? ''));
      // The same URL answers JSON or CSV by its Accept header: caches must keep them apart.
      void reply.header('vary', 'Accept');
      if (!csv) return report;
      const name = `sales-${q.from}-${q.to}-${q.groupBy}${q.theatreId === undefined ? '' : `-theatre-${q.theatreId}`}.csv`;
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(salesCsv(report));
    },
  );
}
