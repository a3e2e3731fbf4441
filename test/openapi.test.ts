import Fastify from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { installErrorHandler } from '../src/http/error-handler.js';
import { installOpenApi } from '../src/http/openapi.js';
import { idParams, installRouteSchemas } from '../src/http/route-schemas.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, LOGINS, seedVenue, type Venue } from './support/venue.js';

type Operation = { requestBody?: unknown; responses?: Record<string, { description?: string; content?: unknown }> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

/**
 * Every operation of the document that lacks a schema: no success answer declared (a route
 * without schema gets @fastify/swagger's placeholder "Default Response" without content). Path
 * parameters are listed either way (from the URL), so they cannot tell.
 */
function undocumented(doc: Document): string[] {
  const missing: string[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const name = `${method.toUpperCase()} ${path}`;
      const success = Object.entries(op.responses ?? {}).filter(([code]) => /^2/.test(code));
      if (!success.some(([code, answer]) => answer.content !== undefined || code === '204')) missing.push(`${name}: no success answer`);
    }
  }
  return missing;
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let v: Venue;
  beforeAll(async () => {
    t = await startTestApp();
    v = await seedVenue(t);
  });
  afterAll(() => t?.close());

  it('is OpenAPI 3.1 at /api/openapi.json and describes every route with its schemas', async () => {
    const res = await fetch(t.http('/api/openapi.json'));
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Document;
    expect(doc.openapi).toBe('3.1.0');
    expect(undocumented(doc)).toEqual([]);
    // A sample of SPEC §4: each is there with its body and answers.
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/ws/tickets', '/api/seats/{seatId}', '/api/orders', '/api/orders/{id}', '/api/orders/{id}/refund', '/api/payments/webhook', '/api/chat/users/{phone}/messages', '/healthz']),
    );
    const place = doc.paths['/api/orders']!.post!;
    expect(place.requestBody).toMatchObject({ content: { 'application/json': { schema: { required: ['seatId', 'items', 'phone', 'paymentMethod'] } } } });
    expect(place.responses).toMatchObject({ 201: { content: { 'application/json': {} } }, '4XX': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } });
    // The webhooks keep their raw bodies: documented as bytes, not as parsed JSON.
    expect(doc.paths['/api/payments/webhook']!.post!.requestBody).toMatchObject({ content: { 'application/json': { schema: { type: 'string', format: 'binary' } } } });
  });

  it('the check finds a route registered without a schema', async () => {
    const app = Fastify();
    installRouteSchemas(app);
    installErrorHandler(app);
    await installOpenApi(app);
    app.withTypeProvider<ZodTypeProvider>().get('/with/:id', { schema: { params: idParams('thing'), response: { 200: z.object({ id: z.number() }) } } }, async (req) => ({ id: req.params.id }));
    app.get('/without/:id', async () => ({ id: 1 }));
    await app.ready();
    expect(undocumented(app.swagger() as unknown as Document)).toEqual(['GET /without/{id}: no success answer']);
    await app.close();
  });

  it('serves the browsable docs at /api/docs under a policy that runs no inline script', async () => {
    const res = await fetch(t.http('/api/docs'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).not.toMatch(/<script>|\son\w+=/i);
  });

  it('answers schema mismatches with the catalogue: a bad path id 404 not_found, a bad body or query 400 validation_failed', async () => {
    const admin = await ApiClient.login(t, LOGINS.admin);
    expect(await admin.call('GET', '/api/theatres/0244')).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: 'No such theatre.' } } });
    expect(await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { orderLimit: 0 })).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    expect(await admin.call('GET', `/api/theatres/${v.theatre1.id}/orders?limit=0`)).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    expect(await admin.call('POST', '/api/orders', { seatId: v.seat1 }, { 'idempotency-key': 'x'.repeat(201) })).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    // Without a session the management API says 401 before anything about the path or body.
    expect(await new ApiClient(t).call('PATCH', '/api/theatres/0244', { orderLimit: 0 })).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    // The order endpoints check the path first: an id that names nothing is 404 for everyone.
    expect(await new ApiClient(t).call('POST', '/api/orders/0244/seen')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('refuses an HTTP request with two Authorization headers (401), as the socket upgrade does', async () => {
    const placed = await new ApiClient(t).call('POST', '/api/orders', {
      seatId: v.seat1,
      items: [{ itemId: v.item(v.theatre1, 'Salted Popcorn'), quantity: 1 }],
      phone: '+919876543210',
      paymentMethod: 'online',
    });
    const { order, orderToken } = placed.body as { order: { id: number }; orderToken: string };
    const lines = (auth: string[]) => [`GET /api/orders/${order.id} HTTP/1.1`, `Host: 127.0.0.1:${t.port}`, ...auth.map((a) => `Authorization: ${a}`), 'Connection: close'];
    expect((await rawRequest(t.port, lines([`Bearer ${orderToken}`]))).status).toBe(200);
    const twice = await rawRequest(t.port, lines([`Bearer ${orderToken}`, `Bearer ${orderToken}`]));
    expect(twice.status).toBe(401);
    expect(JSON.parse(twice.body)).toMatchObject({ error: { code: 'unauthorized' } });
  });
});
