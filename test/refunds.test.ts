import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { buildWebhook } from '../src/payments/webhook.js';
import { appEngines } from './support/app-engines.js';
import { FakeGraphApi } from './support/fake-graph-api.js';
import type { TestApp } from './support/test-app.js';
import { ApiClient, startVenueWorld, ROOMY_GUEST_LIMITS, type Venue } from './support/venue.js';
import { connectOpen, type TestSocket } from './support/ws-client.js';

const engines = await appEngines();
const GUEST_PHONE = '+919876543210';
const APPROVER = '+919812345678';

/**
 * Issue 13 (SPEC §6): partial refunds with credit notes, approval codes over WhatsApp, guests'
 * refund requests — over HTTP and the sockets, on SQLite and PostgreSQL.
 */
describe.each(engines)('refunds on $name', (engine) => {
  const secret = generateSecret();
  const waToken = generateSecret();
  let graph: FakeGraphApi;
  let t: TestApp;
  let v: Venue;
  let staff1: ApiClient;
  let staff2: ApiClient;
  let admin: ApiClient;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    graph = await new FakeGraphApi(waToken, '1234567890').start();
    ({ t, v, staff1, staff2, admin } = await startVenueWorld({
      ...engine.env(),
      ...ROOMY_GUEST_LIMITS,
      PAYMENT_WEBHOOK_SECRET: secret,
      WHATSAPP_API_BASE: graph.url,
      WHATSAPP_TOKEN: waToken,
      WHATSAPP_PHONE_NUMBER_ID: '1234567890',
      WHATSAPP_RETRY_BASE_MS: '20',
      WHATSAPP_RETRY_MAX_MS: '80',
    }));
    // 10 % off, 2.5 % + 2.5 % on top: popcorn + samosa = 33000 − 3300 + 743 + 743 = 31186.
    const r = await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { discountPercent: 10, taxes: [{ name: 'CGST', rate: 2.5 }, { name: 'SGST', rate: 2.5 }] });
    expect(r.status).toBe(200);
  }, 30_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t.close();
    await graph.close();
    await engine.cleanup();
  });

  async function paidOrder(items = [['Salted Popcorn', 1], ['Veg Samosa', 1]] as Array<[string, number]>) {
    const guest = new ApiClient(t);
    const placed = await guest.call('POST', '/api/orders', {
      seatId: v.seat1,
      items: items.map(([name, quantity]) => ({ itemId: v.item(v.theatre1, name), quantity })),
      phone: GUEST_PHONE,
      paymentMethod: 'online',
    });
    expect(placed.status).toBe(201);
    const token = new ApiClient(t, placed.body.orderToken);
    const order = placed.body.order;
    const payment = await token.call('POST', `/api/orders/${order.id}/payments`);
    expect(payment.status).toBe(201);
    const hook = buildWebhook({
      event: 'payment.captured', gatewayOrderId: payment.body.gatewayOrderId, gatewayPaymentId: `pay_${randomUUID()}`, amount: order.amount, secret, eventId: `evt_${randomUUID()}`, at: new Date(),
    });
    const res = await fetch(t.http('/api/payments/webhook'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId },
      body: hook.rawBody,
    });
    expect(res.status).toBe(200);
    return { order: order as { id: number; amount: number; items: Array<{ itemId: number }> }, token };
  }

  async function follow(client: ApiClient): Promise<TestSocket> {
    const s = await connectOpen(t.ws(`/ws/all-seat-datasocket/?ticket=${await client.ticket('live-orders')}`));
    await s.next('snapshot');
    sockets.push(s);
    return s;
  }

  async function followPayment(token: ApiClient, orderId: number): Promise<TestSocket> {
    const s = await connectOpen(t.ws(`/ws/payment-socket/${orderId}/`), { protocols: ['scan2food.v1', `ticket.${await token.ticket('payment', orderId)}`] });
    await s.next('snapshot');
    sockets.push(s);
    return s;
  }

  const creditNotes = async (orderId: number) =>
    (await t.app.db.selectFrom('refunds').select(['amount', 'credit_note_number', 'requested_by', 'status']).where('order_id', '=', orderId).orderBy('id').execute()).map((r) => ({ ...r }));

  it('refunds in parts — by items (priced as the order was) and by amount — with a credit note each, then the rest; never more than was paid', async () => {
    const { order, token } = await paidOrder();
    expect(order.amount).toBe(31186);
    // Pricing changes after the order: its refunds keep the order's own figures.
    expect((await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { discountPercent: 0 })).status).toBe(200);
    const live = await follow(staff1);
    const pay = await followPayment(token, order.id);
    const samosa = v.item(v.theatre1, 'Veg Samosa');

    const byItems = await staff1.call('POST', `/api/orders/${order.id}/refund`, { items: [{ itemId: samosa, quantity: 1 }], reason: 'samosa was cold' });
    expect(byItems.status).toBe(200);
    // 8000 − 800 discount + 180 + 180 tax.
    expect(byItems.body.order).toMatchObject({ status: 'confirmed', paymentStatus: 'success', refundedAmount: 7560 });
    expect((await live.next('order.updated', 2000)).data).toMatchObject({ order: { id: order.id, refundedAmount: 7560, status: 'confirmed' } });
    expect(await pay.until(() => pay.messages.find((m) => m.type === 'payment.status' && (m.data as any).refundedAmount === 7560), 'partial payment.status')).toMatchObject({
      data: { status: 'success', refundedAmount: 7560, orderStatus: 'confirmed' },
    });
    // The same item again: only one was ordered.
    expect((await staff1.call('POST', `/api/orders/${order.id}/refund`, { items: [{ itemId: samosa, quantity: 1 }] })).status).toBe(422);
    expect((await staff1.call('POST', `/api/orders/${order.id}/refund`, { amount: 31186 - 7560 + 1 })).status).toBe(422);
    expect((await staff1.call('POST', `/api/orders/${order.id}/refund`, { amount: 0 })).status).toBe(400);
    expect((await staff2.call('POST', `/api/orders/${order.id}/refund`, { amount: 100 })).status).toBe(404);

    const byAmount = await staff1.call('POST', `/api/orders/${order.id}/refund`, { amount: 1000 });
    expect(byAmount.status).toBe(200);
    expect(byAmount.body.order).toMatchObject({ status: 'confirmed', paymentStatus: 'success', refundedAmount: 8560 });

    const rest = await staff1.call('POST', `/api/orders/${order.id}/refund`, {});
    expect(rest.status).toBe(200);
    expect(rest.body.order).toMatchObject({ status: 'refunded', paymentStatus: 'refunded', refundedAmount: 31186 });
    expect((await live.next('order.refunded', 2000)).data).toMatchObject({ order: { id: order.id, refundedAmount: 31186 } });
    expect(await pay.until(() => pay.messages.find((m) => m.type === 'payment.status' && (m.data as any).status === 'refunded'), 'final payment.status')).toMatchObject({
      data: { refundedAmount: 31186, orderStatus: 'refunded' },
    });
    expect((await staff1.call('POST', `/api/orders/${order.id}/refund`, { amount: 1 })).status).toBe(409);

    const notes = await creditNotes(order.id);
    expect(notes.map((n) => n.amount)).toEqual([7560, 1000, 31186 - 8560]);
    expect(notes.every((n) => n.status === 'processed' && /^CN\/\d{4}-\d{2}\/\d+$/.test(n.credit_note_number ?? ''))).toBe(true);
    const numbers = notes.map((n) => Number(n.credit_note_number!.split('/')[2]));
    expect(numbers[1]).toBe(numbers[0]! + 1);
    expect(numbers[2]).toBe(numbers[1]! + 1);
    expect(notes.every((n) => n.requested_by !== null)).toBe(true);
    const audits = t.logLines.filter((l) => l.includes('"audit":true') && l.includes('"action":"refund"') && l.includes(`"orderId":${order.id}`));
    expect(audits.length).toBeGreaterThanOrEqual(5);
    expect(audits.some((l) => l.includes('"outcome":"refused: unprocessable"'))).toBe(true);
    expect(audits.some((l) => l.includes('"amount":7560') && l.includes('"outcome":"refunded"'))).toBe(true);
  });

  it('dozens of parallel partial refunds never take more than was paid', async () => {
    const { order } = await paidOrder([['Salted Popcorn', 1]]);
    const paid = order.amount;
    const each = 1000;
    const answers = await Promise.all(Array.from({ length: 40 }, () => staff1.call('POST', `/api/orders/${order.id}/refund`, { amount: each })));
    const ok = answers.filter((a) => a.status === 200).length;
    expect(ok).toBe(Math.floor(paid / each));
    expect(answers.every((a) => a.status === 200 || a.status === 422)).toBe(true);
    const done = await admin.call('GET', `/api/orders/${order.id}`);
    expect(done.body.order.refundedAmount).toBe(ok * each);
    const sum = (await creditNotes(order.id)).reduce((s, n) => s + n.amount, 0);
    expect(sum).toBeLessThanOrEqual(paid);
  });

  describe('with refund codes', () => {
    beforeAll(async () => {
      const r = await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { refundApproval: 'code', approverPhone: APPROVER });
      expect(r.status).toBe(200);
    });
    afterAll(async () => {
      await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { refundApproval: 'none' });
    });

    async function askCode(orderId: number, body: unknown = { amount: 500, reason: 'spilt' }) {
      const before = graph.accepted.length;
      const r = await staff1.call('POST', `/api/orders/${orderId}/refund`, body);
      expect(r.status).toBe(202);
      expect(Object.keys(r.body)).toEqual(['approval']);
      expect(Object.keys(r.body.approval).sort()).toEqual(['expiresAt', 'id']);
      const sent = await graph.until(() => graph.accepted.slice(before).find((a) => a.body.template?.components?.[0]?.parameters?.[1]?.text === String(orderId)), 'the code');
      expect(sent.body).toMatchObject({ to: APPROVER.slice(1), type: 'template', template: { name: 'refund_code' } });
      const code = sent.body.template.components[0].parameters[0].text as string;
      expect(code).toMatch(/^\d{6}$/);
      return { approval: r.body.approval as { id: number; expiresAt: string }, code };
    }

    it('a staff refund waits for the code the approver got on WhatsApp; wrong, foreign and reused codes are refused; admins need none', async () => {
      const { order, token } = await paidOrder();
      const logsFrom = t.logLines.length;
      const live = await follow(staff1);
      const adminLive = await follow(admin);
      const pay = await followPayment(token, order.id);
      const chat = await connectOpen(t.ws(`/ws/chat/?ticket=${await staff1.ticket('chat')}`)).catch(() => null);
      if (chat) sockets.push(chat);
      const answers: unknown[] = [];

      const { approval, code } = await askCode(order.id);
      expect(Date.parse(approval.expiresAt) - Date.now()).toBeGreaterThan(4 * 60_000);
      expect((await token.call('GET', `/api/orders/${order.id}`)).body.order.refundedAmount).toBe(0);
      const wrong = code === '000000' ? '000001' : '000000';
      const w = await staff1.call('POST', `/api/refund-approvals/${approval.id}`, { code: wrong });
      answers.push(w.body);
      expect(w.status).toBe(422);
      const foreign = await staff2.call('POST', `/api/refund-approvals/${approval.id}`, { code });
      answers.push(foreign.body);
      expect(foreign.status).toBe(404);
      const right = await staff1.call('POST', `/api/refund-approvals/${approval.id}`, { code });
      answers.push(right.body);
      expect(right.status).toBe(200);
      expect(right.body.order).toMatchObject({ refundedAmount: 500, status: 'confirmed', paymentStatus: 'success' });
      const again = await staff1.call('POST', `/api/refund-approvals/${approval.id}`, { code });
      answers.push(again.body);
      expect(again.status).toBe(410);

      const byAdmin = await admin.call('POST', `/api/orders/${order.id}/refund`, { amount: 700 });
      answers.push(byAdmin.body);
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.body.order.refundedAmount).toBe(1200);

      await live.until(() => live.messages.filter((m) => m.type === 'order.updated' && (m.data as any).order.id === order.id).length >= 2, 'two order.updated');
      await pay.until(() => pay.messages.filter((m) => m.type === 'payment.status' && (m.data as any).refundedAmount === 1200).length >= 1, 'payment.status');
      // The code is nowhere but in the approver's WhatsApp.
      const everything = [JSON.stringify(answers), ...t.logLines.slice(logsFrom), ...[live, adminLive, pay, ...(chat ? [chat] : [])].map((s) => JSON.stringify(s.messages))];
      for (const text of everything) expect(text.includes(code)).toBe(false);
      const stored = JSON.stringify(await t.app.db.selectFrom('refund_approvals').selectAll().where('id', '=', approval.id).execute());
      expect(stored.includes(`"${code}"`)).toBe(false);
      const chatRows = JSON.stringify(await t.app.db.selectFrom('chat_messages').select(['text', 'template_params']).execute());
      expect(chatRows.includes(code)).toBe(false);
      const audit = t.logLines.slice(logsFrom).filter((l) => l.includes('"audit":true'));
      expect(audit.some((l) => l.includes('"action":"refund.approval.requested"'))).toBe(true);
      expect(audit.some((l) => l.includes('"action":"refund.approval.code"') && l.includes('"outcome":"wrong_code"'))).toBe(true);
      expect(audit.some((l) => l.includes('"action":"refund.approval.code"') && l.includes('"outcome":"refunded"'))).toBe(true);
      expect(audit.some((l) => l.includes('"action":"refund.approval.code"') && l.includes('"outcome":"used"'))).toBe(true);
    });

    it('five wrong codes void an approval (410 even for the right one); an expired one is 410; a code asking for too much is 422 before any code is sent', async () => {
      const { order } = await paidOrder();
      const { approval, code } = await askCode(order.id);
      const wrong = code === '111111' ? '222222' : '111111';
      for (let i = 0; i < 5; i++) expect((await staff1.call('POST', `/api/refund-approvals/${approval.id}`, { code: wrong })).status).toBe(422);
      expect((await staff1.call('POST', `/api/refund-approvals/${approval.id}`, { code })).status).toBe(410);

      const second = await askCode(order.id, {});
      await t.app.db.updateTable('refund_approvals').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', second.approval.id).execute();
      expect((await staff1.call('POST', `/api/refund-approvals/${second.approval.id}`, { code: second.code })).status).toBe(410);
      expect((await admin.call('GET', `/api/orders/${order.id}`)).body.order.refundedAmount).toBe(0);

      const sentBefore = graph.accepted.length;
      expect((await staff1.call('POST', `/api/orders/${order.id}/refund`, { amount: order.amount + 1 })).status).toBe(422);
      expect((await staff1.call('POST', '/api/refund-approvals/999999', { code })).status).toBe(404);
      expect(graph.accepted.length).toBe(sentBefore);

      // Two right codes at once: one refund.
      const third = await askCode(order.id, {});
      const both = await Promise.all([0, 1].map(() => staff1.call('POST', `/api/refund-approvals/${third.approval.id}`, { code: third.code })));
      expect(both.map((b) => b.status).sort()).toEqual([200, 410]);
      expect((await admin.call('GET', `/api/orders/${order.id}`)).body.order).toMatchObject({ refundedAmount: order.amount, status: 'refunded' });
    });
  });

  it('a code WhatsApp will not take is no approval: 503, nothing refunded, and the approval is void', async () => {
    await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { refundApproval: 'code', approverPhone: APPROVER });
    try {
      const { order } = await paidOrder();
      graph.failAlways(400);
      const r = await staff1.call('POST', `/api/orders/${order.id}/refund`, { amount: 500 });
      expect(r.status).toBe(503);
      expect((await admin.call('GET', `/api/orders/${order.id}`)).body.order.refundedAmount).toBe(0);
      const approvals = await t.app.db.selectFrom('refund_approvals').select('status').where('order_id', '=', order.id).execute();
      expect(approvals).toEqual([{ status: 'void' }]);
    } finally {
      graph.failAlways(null);
      await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { refundApproval: 'none' });
    }
  });

  it("a guest's refund request, open → refunded, as the guest and the staff see it, live and on WhatsApp", async () => {
    const { order, token } = await paidOrder();
    const live = await follow(staff1);
    const all = await follow(admin);
    const other = await follow(staff2);
    const pay = await followPayment(token, order.id);
    expect((await token.call('POST', `/api/orders/${order.id}/refund-requests`, { reason: '' })).status).toBe(400);
    const opened = await token.call('POST', `/api/orders/${order.id}/refund-requests`, { reason: 'The popcorn never came' });
    expect(opened.status).toBe(201);
    expect(opened.body.request).toMatchObject({ orderId: order.id, status: 'open', reason: 'The popcorn never came' });
    expect(typeof opened.body.request.at).toBe('string');
    const request = opened.body.request;
    expect((await token.call('POST', `/api/orders/${order.id}/refund-requests`, { reason: 'again' })).status).toBe(409);
    expect((await new ApiClient(t).call('POST', `/api/orders/${order.id}/refund-requests`, { reason: 'x' })).status).toBe(401);

    expect((await live.next('order.refundRequested', 2000)).data).toMatchObject({ order: { id: order.id }, request: { id: request.id, status: 'open' } });
    expect((await pay.next('refund.request', 2000)).data).toEqual({ request });
    expect((await all.next('order.refundRequested', 2000)).data).toMatchObject({ order: { id: order.id }, request: { id: request.id } });
    other.send({ type: 'ping' });
    await other.next('pong');
    expect(other.messages.filter((m) => m.type === 'order.refundRequested')).toEqual([]);
    const list = await staff1.call('GET', `/api/theatres/${v.theatre1.id}/refund-requests?status=open`);
    expect(list.status).toBe(200);
    expect(list.body.requests.find((r: any) => r.id === request.id)).toMatchObject({ status: 'open', order: { id: order.id } });
    expect((await staff2.call('GET', `/api/theatres/${v.theatre1.id}/refund-requests`)).status).toBe(404);
    expect((await token.call('GET', `/api/orders/${order.id}`)).body.refundRequests).toEqual([request]);

    const refunded = await staff1.call('POST', `/api/orders/${order.id}/refund`, { reason: 'never came' });
    expect(refunded.status).toBe(200);
    const outcome = await pay.until(() => pay.messages.find((m) => m.type === 'refund.request' && (m.data as any).request.status === 'refunded'), 'request refunded');
    expect(outcome.data).toMatchObject({ request: { id: request.id, status: 'refunded' } });
    // refund.request comes before the final payment.status that closes the socket.
    const types = pay.messages.map((m) => m.type);
    expect(types.lastIndexOf('refund.request')).toBeLessThan(types.lastIndexOf('payment.status'));
    expect((await pay.waitClose(2000)).code).toBe(1000);
    expect((await token.call('GET', `/api/orders/${order.id}`)).body.refundRequests).toMatchObject([{ id: request.id, status: 'refunded' }]);
    const resolved = await staff1.call('GET', `/api/theatres/${v.theatre1.id}/refund-requests?status=resolved`);
    expect(resolved.body.requests.find((r: any) => r.id === request.id)).toMatchObject({ status: 'refunded' });
    await graph.until(() => graph.accepted.find((a) => a.body.template?.name === 'refund_request_outcome' && a.body.template.components[0].parameters[0].text === String(order.id)), 'the outcome on WhatsApp');
  });

  it("a guest's refund request, open → rejected with a reason; only paid online orders may ask", async () => {
    const { order, token } = await paidOrder();
    const pay = await followPayment(token, order.id);
    const opened = await token.call('POST', `/api/orders/${order.id}/refund-requests`, { reason: 'Changed my mind' });
    expect(opened.status).toBe(201);
    const id = opened.body.request.id;
    expect((await staff2.call('POST', `/api/refund-requests/${id}/reject`, { reason: 'no' })).status).toBe(404);
    const rejected = await staff1.call('POST', `/api/refund-requests/${id}/reject`, { reason: 'Already delivered and eaten' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.request).toMatchObject({ id, status: 'rejected', resolution: 'Already delivered and eaten' });
    expect((await staff1.call('POST', `/api/refund-requests/${id}/reject`, { reason: 'again' })).status).toBe(409);
    await pay.until(() => pay.messages.find((m) => m.type === 'refund.request' && (m.data as any).request.status === 'rejected'), 'rejected live');
    const sent = await graph.until(
      () => graph.accepted.find((a) => a.body.template?.name === 'refund_request_outcome' && a.body.template.components[0].parameters[1].text === 'rejected'),
      'the rejection on WhatsApp',
    );
    expect(sent.body.to).toBe(GUEST_PHONE.slice(1));
    // A new request may follow a rejected one.
    expect((await token.call('POST', `/api/orders/${order.id}/refund-requests`, { reason: 'Please reconsider' })).status).toBe(201);

    const cash = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }], phone: GUEST_PHONE, paymentMethod: 'cash' });
    const cashToken = new ApiClient(t, cash.body.orderToken);
    expect((await cashToken.call('POST', `/api/orders/${cash.body.order.id}/refund-requests`, { reason: 'cold' })).status).toBe(422);
    const unpaid = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }], phone: GUEST_PHONE, paymentMethod: 'online' });
    expect((await new ApiClient(t, unpaid.body.orderToken).call('POST', `/api/orders/${unpaid.body.order.id}/refund-requests`, { reason: 'x' })).status).toBe(422);
  });
});
