import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WHATSAPP_DEFAULTS } from '../src/chat/whatsapp.config.js';
import { generateSecret } from '../src/keys/keys-file.js';
import { buildWebhook } from '../src/payments/webhook.js';
import { FakeGraphApi } from './support/fake-graph-api.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, LOGINS, seedVenue, type Venue, ROOMY_GUEST_LIMITS } from './support/venue.js';
import { postWebhook, statusUpdate, textMessage, whatsappWebhook } from './support/whatsapp-webhook.js';
import { connectOpen, type TestSocket } from './support/ws-client.js';

const PHONE_NUMBER_ID = '106540352242922';
let phoneCounter = 10;
/** A fresh valid Indian mobile number per test, so tests never see each other's conversations. */
const freshPhone = () => `+9198765432${String(phoneCounter++).padStart(2, '0')}`;

describe('chat: WhatsApp in and out through the chat socket', () => {
  const appSecret = generateSecret();
  const verifyToken = generateSecret();
  const waToken = generateSecret();
  const paymentSecret = generateSecret();
  const fake = new FakeGraphApi(waToken, PHONE_NUMBER_ID);
  let t: TestApp;
  let v: Venue;
  let staff1: ApiClient;
  let staff2: ApiClient;
  let admin: ApiClient;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp({
      // The WhatsApp cap is tested with several cash orders of one number: guest limits out of the way.
      ...ROOMY_GUEST_LIMITS,
      AUTH_FAIL_LIMIT: '1000',
      PAYMENT_WEBHOOK_SECRET: paymentSecret,
      WHATSAPP_API_BASE: fake.url,
      WHATSAPP_TOKEN: waToken,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_VERIFY_TOKEN: verifyToken,
      WHATSAPP_RETRY_BASE_MS: '20',
      WHATSAPP_RETRY_MAX_MS: '80',
      WHATSAPP_SENDER_POLL_MS: '200',
      WHATSAPP_REQUEST_TIMEOUT_MS: '1000',
      UNSEEN_ALERT_SECONDS: '3600',
    });
    v = await seedVenue(t);
    [staff1, staff2, admin] = await Promise.all([ApiClient.login(t, LOGINS.staff1), ApiClient.login(t, LOGINS.staff2), ApiClient.login(t, LOGINS.admin)]);
  });
  afterAll(async () => {
    await t?.close();
    await fake.close();
  });

  const webhookUrl = () => t.http('/api/whatsapp/webhook');

  /** A cash order at Galaxy (theatre 1): confirmed at once, so the phone's conversation is Galaxy's. */
  async function cashOrderAtGalaxy(phone: string) {
    const r = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }], phone, paymentMethod: 'cash' });
    expect(r.status).toBe(201);
    return r.body.order as { id: number; amount: number };
  }

  async function follow(client: ApiClient | 'key'): Promise<TestSocket> {
    const url = client === 'key' ? t.ws(`/ws/chat-socket/?key=${t.keys.chat}`) : t.ws(`/ws/chat-socket/?ticket=${await client.ticket('chat')}`);
    const s = await connectOpen(url);
    await s.next('snapshot');
    return s;
  }

  const chatMessages = (s: TestSocket, phone: string) =>
    s.messages.filter((m) => m.type === 'chat.message' && (m.data as { phone: string }).phone === phone).map((m) => m.data as Record<string, unknown>);

  const storedCount = async (phone: string) =>
    Number((await t.app.db.selectFrom('chat_messages').select((eb) => eb.fn.countAll().as('n')).where('phone', '=', phone).where('direction', '=', 'incoming').executeTakeFirstOrThrow()).n);

  it('answers the verify-token handshake with the challenge, and 403 to a wrong token', async () => {
    const ok = await fetch(t.http(`/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=1158201444`));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const bad = await fetch(t.http(`/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1158201444`));
    expect(bad.status).toBe(403);
    expect((await bad.json()).error.code).toBe('forbidden');
  });

  it('stores nothing for a bad or missing signature (401)', async () => {
    const phone = freshPhone();
    const body = whatsappWebhook({ messages: [textMessage(phone, 'hello')] });
    expect((await postWebhook(webhookUrl(), body, null)).status).toBe(401);
    expect((await postWebhook(webhookUrl(), body, generateSecret())).status).toBe(401);
    expect(await storedCount(phone)).toBe(0);
  });

  it('a signed inbound message reaches theatre-1 staff and admins, not theatre-2 staff; a duplicate is stored once', async () => {
    const phone = freshPhone();
    await cashOrderAtGalaxy(phone);
    const [s1, s2, a] = await Promise.all([follow(staff1), follow(staff2), follow(admin)]);
    const message = textMessage(phone, 'Can I get extra butter?');
    const body = whatsappWebhook({ messages: [message] });
    const first = await postWebhook(webhookUrl(), body, appSecret);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ stored: 1, duplicates: 0, statuses: 0 });
    const got = await s1.next('chat.message', 2000);
    expect(got).toMatchObject({ stream: `chat:${v.theatre1.id}`, data: { phone, theatreId: v.theatre1.id, direction: 'incoming', text: 'Can I get extra butter?', status: 'received' } });
    await a.until(() => chatMessages(a, phone).find((m) => m.direction === 'incoming'), 'the admin copy');

    const again = await postWebhook(webhookUrl(), body, appSecret);
    expect(await again.json()).toEqual({ stored: 0, duplicates: 1, statuses: 0 });
    expect(await storedCount(phone)).toBe(1);

    s2.send({ type: 'ping' });
    await s2.next('pong');
    expect(s2.messages.filter((m) => m.type === 'chat.message')).toEqual([]);

    const list = await staff1.call('GET', '/api/chat/users');
    expect(list.body.conversations.find((c: { phone: string }) => c.phone === phone)).toMatchObject({ theatreId: v.theatre1.id, unread: 1, replyRequired: true, lastText: 'Can I get extra butter?' });
    expect((await staff2.call('GET', '/api/chat/users')).body.conversations.find((c: { phone: string }) => c.phone === phone)).toBeUndefined();
    expect((await staff2.call('GET', `/api/chat/users/${phone.slice(1)}/messages`)).status).toBe(404);
    for (const s of [s1, s2, a]) s.close();
  });

  it('a reply over the socket is acked and reaches the Graph API exactly once with the recipient, text and bearer token', async () => {
    const phone = freshPhone();
    await cashOrderAtGalaxy(phone);
    await postWebhook(webhookUrl(), whatsappWebhook({ messages: [textMessage(phone, 'Where is my tea?')] }), appSecret);
    const s1 = await follow(staff1);
    s1.send({ type: 'chat.send', phone, text: 'On its way, 2 minutes!', clientMsgId: 'c-1' });
    const ack = await s1.next('ack');
    expect(ack).toEqual({ type: 'ack', clientMsgId: 'c-1', messageId: expect.any(Number) });
    const sent = await s1.until(() => chatMessages(s1, phone).find((m) => m.id === ack.messageId && m.status === 'sent'), 'the sent status');
    expect(sent).toMatchObject({ direction: 'outgoing', text: 'On its way, 2 minutes!', theatreId: v.theatre1.id });
    expect(chatMessages(s1, phone).find((m) => m.id === ack.messageId && m.status === 'queued')).toBeTruthy();

    const toGuest = fake.accepted.filter((r) => r.body.to === phone.slice(1) && r.body.type === 'text');
    expect(toGuest).toHaveLength(1);
    expect(toGuest[0]).toMatchObject({ path: `/v21.0/${PHONE_NUMBER_ID}/messages`, authorization: `Bearer ${waToken}`, body: { messaging_product: 'whatsapp', type: 'text', text: { body: 'On its way, 2 minutes!' } } });

    const conv = (await staff1.call('GET', '/api/chat/users')).body.conversations.find((c: { phone: string }) => c.phone === phone);
    expect(conv).toMatchObject({ replyRequired: false, unread: 1 });
    expect((await staff1.call('POST', `/api/chat/users/${phone.slice(1)}/read`)).status).toBe(204);
    expect((await staff1.call('GET', '/api/chat/users')).body.conversations.find((c: { phone: string }) => c.phone === phone)).toMatchObject({ unread: 0 });

    const history = await staff1.call('GET', `/api/chat/users/${phone.slice(1)}/messages?limit=2`);
    expect(history.body.phone).toBe(phone);
    expect(history.body.messages.map((m: { direction: string }) => m.direction)).toEqual(['outgoing', 'incoming']);
    const older = await staff1.call('GET', `/api/chat/users/${encodeURIComponent(phone)}/messages?before=${history.body.messages[1].id}`);
    expect(older.body.messages.map((m: { direction: string }) => m.direction)).toEqual(['template']);
    // Past the ids' integer range: a clear 400, not a database error.
    expect((await staff1.call('GET', `/api/chat/users/${phone.slice(1)}/messages?before=2147483648`)).status).toBe(400);
    s1.send({ type: 'chat.history', phone, limit: 1 });
    expect(await s1.next('chat.history')).toMatchObject({ phone, messages: [{ id: ack.messageId }] });
    s1.close();
  });

  it('refuses staff of another theatre on the socket and over REST, and bad input', async () => {
    const phone = freshPhone();
    await cashOrderAtGalaxy(phone);
    const s2 = await follow(staff2);
    s2.send({ type: 'chat.send', phone, text: 'hi', clientMsgId: 'x' });
    expect(await s2.next('error')).toMatchObject({ code: 'not_found' });
    s2.send({ type: 'chat.send', phone: 'not-a-phone', text: 'hi', clientMsgId: 'y' });
    await s2.until(() => s2.messages.filter((m) => m.type === 'error').length === 2, 'a second error');
    expect(s2.messages.filter((m) => m.type === 'error')[1]).toMatchObject({ code: 'bad_request' });
    s2.send({ type: 'chat.send', phone, text: 'x'.repeat(4097), clientMsgId: 'z' });
    await s2.until(() => s2.messages.filter((m) => m.type === 'error').length === 3, 'a third error');
    expect((await staff2.call('POST', `/api/chat/users/${phone.slice(1)}/messages`, { text: 'hi' })).status).toBe(404);
    expect((await staff1.call('POST', `/api/chat/users/${phone.slice(1)}/messages`, { text: '' })).status).toBe(400);
    const created = await staff1.call('POST', `/api/chat/users/${phone.slice(1)}/messages`, { text: 'x'.repeat(4096) });
    expect(created.status).toBe(201);
    expect(created.body.message).toMatchObject({ phone, direction: 'outgoing', status: 'queued', theatreId: v.theatre1.id });
    s2.close();
  });

  it('the chat key acts as admin: it sees numbers without an order and may write to them', async () => {
    const phone = freshPhone();
    const k = await follow('key');
    expect(k.messages.find((m) => m.type === 'hello')).toMatchObject({ stream: 'chat' });
    await postWebhook(webhookUrl(), whatsappWebhook({ messages: [{ ...textMessage(phone, ''), type: 'location', text: undefined, location: { latitude: 12.97, longitude: 77.59, name: 'PVR' } }] }), appSecret);
    expect((await k.until(() => chatMessages(k, phone)[0], 'the incoming location'))).toMatchObject({ theatreId: null, direction: 'incoming', text: '[location] PVR 12.97, 77.59' });
    k.send({ type: 'chat.send', phone, text: 'Thanks!', clientMsgId: 'k1' });
    expect(await k.next('ack')).toMatchObject({ clientMsgId: 'k1' });
    expect((await admin.call('GET', '/api/chat/users')).body.conversations.find((c: { phone: string }) => c.phone === phone)).toMatchObject({ theatreId: null });
    const path = `/api/chat/users/${phone.slice(1)}`;
    expect((await admin.call('GET', `${path}/messages?theatreId=none`)).body.messages.map((m: { text: string }) => m.text)).toEqual(['Thanks!', '[location] PVR 12.97, 77.59']);
    expect((await admin.call('GET', `${path}/messages?theatreId=${v.theatre1.id}`)).body.messages).toEqual([]);
    expect((await admin.call('GET', `${path}/messages?theatreId=null`)).status).toBe(400);
    expect((await admin.call('POST', `${path}/messages`, { text: 'to the unassigned one', theatreId: null })).body.message).toMatchObject({ theatreId: null });
    expect((await admin.call('POST', `${path}/read?theatreId=none`)).status).toBe(204);
    k.close();
  });

  it('a Graph API failing three times then succeeding gives one sent, then delivered, message', async () => {
    const phone = freshPhone();
    await cashOrderAtGalaxy(phone);
    const s1 = await follow(staff1);
    await fake.until(() => fake.accepted.find((r) => r.body.to === phone.slice(1)), 'the order template');
    fake.failNext(3, 500);
    const before = fake.attempts.length;
    s1.send({ type: 'chat.send', phone, text: 'Retry me', clientMsgId: 'r1' });
    const { messageId } = (await s1.next('ack')) as { messageId: number };
    const sent = await s1.until(() => chatMessages(s1, phone).find((m) => m.id === messageId && m.status === 'sent'), 'the sent status', 5000);
    expect(fake.attempts.slice(before).filter((r) => r.body.text?.body === 'Retry me')).toHaveLength(4);
    expect(fake.accepted.filter((r) => r.body.text?.body === 'Retry me')).toHaveLength(1);
    expect(chatMessages(s1, phone).filter((m) => m.id === messageId).map((m) => m.status)).toEqual(['queued', 'sent']);

    const waId = fake.accepted.find((r) => r.body.text?.body === 'Retry me')!.waId!;
    const hook = whatsappWebhook({ statuses: [statusUpdate(waId, 'delivered', phone)] });
    expect(await (await postWebhook(webhookUrl(), hook, appSecret)).json()).toMatchObject({ statuses: 1 });
    expect(await (await postWebhook(webhookUrl(), hook, appSecret)).json()).toMatchObject({ statuses: 0 });
    await s1.until(() => chatMessages(s1, phone).find((m) => m.id === sent.id && m.status === 'delivered'), 'the delivered status');
    const row = await t.app.db.selectFrom('chat_messages').selectAll().where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'delivered', attempts: 4, wa_id: waId });
    s1.close();
  });

  it('a Graph API failing always gives a failed status to the staff, after the bounded attempts', async () => {
    const phone = freshPhone();
    await cashOrderAtGalaxy(phone);
    await fake.until(() => fake.accepted.find((r) => r.body.to === phone.slice(1)), 'the order template');
    const s1 = await follow(staff1);
    fake.failAlways(503);
    try {
      s1.send({ type: 'chat.send', phone, text: 'Never arrives', clientMsgId: 'f1' });
      const { messageId } = (await s1.next('ack')) as { messageId: number };
      await s1.until(() => chatMessages(s1, phone).find((m) => m.id === messageId && m.status === 'failed'), 'the failed status', 5000);
      expect(fake.attempts.filter((r) => r.body.text?.body === 'Never arrives')).toHaveLength(4);
      const row = await t.app.db.selectFrom('chat_messages').selectAll().where('id', '=', messageId).executeTakeFirstOrThrow();
      expect(row.error).toMatch(/HTTP 503/);
      expect(row.error).not.toContain(waToken);
    } finally {
      fake.failAlways(null);
    }
    s1.close();
  });

  it('a hanging Graph API holds back neither the ack nor an order: the request times out and the retry delivers', async () => {
    const phone = freshPhone();
    await cashOrderAtGalaxy(phone);
    await fake.until(() => fake.accepted.find((r) => r.body.to === phone.slice(1)), 'the order template');
    const s1 = await follow(staff1);
    fake.hangNext(1);
    const sentAt = Date.now();
    s1.send({ type: 'chat.send', phone, text: 'Slow lane', clientMsgId: 'h1' });
    const { messageId } = (await s1.next('ack')) as { messageId: number };
    await fake.until(() => fake.attempts.find((r) => r.body.text?.body === 'Slow lane'), 'the hanging attempt');
    const other = freshPhone();
    const orderAt = Date.now();
    await cashOrderAtGalaxy(other);
    const orderMs = Date.now() - orderAt;
    expect(orderMs).toBeLessThan(1000);
    await s1.until(() => chatMessages(s1, phone).find((m) => m.id === messageId && m.status === 'sent'), 'the sent status after the timeout', 5000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1000);
    expect(fake.accepted.filter((r) => r.body.text?.body === 'Slow lane')).toHaveLength(1);
    s1.close();
  });

  it('never logs the WhatsApp token, app secret or verify token', () => {
    const logs = t.logLines.join('\n');
    for (const secret of [waToken, appSecret, verifyToken]) expect(logs).not.toContain(secret);
    expect(logs).toContain('hub.verify_token=[redacted]');
  });

  it('sends the order-confirmed template once when an order is paid, and the refund template once on refund', async () => {
    const phone = freshPhone();
    const guest = new ApiClient(t);
    const placed = await guest.call('POST', '/api/orders', { seatId: v.seat2, items: [{ itemId: v.item(v.theatre2, 'Cold Coffee'), quantity: 1 }], phone, paymentMethod: 'online' });
    const orderId = placed.body.order.id as number;
    const payment = await new ApiClient(t, placed.body.orderToken).call('POST', `/api/orders/${orderId}/payments`);
    const s2 = await follow(staff2);
    const capture = buildWebhook({ event: 'payment.captured', gatewayOrderId: payment.body.gatewayOrderId, gatewayPaymentId: `pay_${randomUUID()}`, amount: 12000, secret: paymentSecret, eventId: `evt_${randomUUID()}`, at: new Date() });
    const post = (h: { rawBody: string; signature: string; eventId: string }) =>
      fetch(t.http('/api/payments/webhook'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-razorpay-signature': h.signature, 'x-razorpay-event-id': h.eventId }, body: h.rawBody });
    expect((await post(capture)).status).toBe(200);
    expect((await post(capture)).status).toBe(200);
    const templates = () => fake.accepted.filter((r) => r.body.to === phone.slice(1) && r.body.type === 'template');
    await fake.until(() => templates().length === 1, 'the confirmation template');
    expect(templates()[0]!.body.template).toEqual({ name: 'order_confirmed', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text', text: String(orderId) }, { type: 'text', text: 'Rs 120.00' }] }] });
    await s2.until(() => chatMessages(s2, phone).find((m) => m.direction === 'template' && m.status === 'sent' && m.orderId === orderId), 'the template on theatre 2');

    expect((await staff2.call('POST', `/api/orders/${orderId}/refund`)).status).toBe(200);
    await fake.until(() => templates().length === 2, 'the refund template');
    expect(templates()[1]!.body.template.name).toBe('order_refunded');
    // Both templates are in; a later message proves nothing else was queued for this phone meanwhile.
    s2.send({ type: 'chat.send', phone, text: 'Sorry about that', clientMsgId: 'p1' });
    await fake.until(() => fake.accepted.find((r) => r.body.to === phone.slice(1) && r.body.text?.body === 'Sorry about that'), 'the reply');
    expect(templates()).toHaveLength(2);
    s2.close();
  });

  // Issue 10, finding 1: conversations per (theatre, phone); an unpaid order moves nothing.
  const chatEventsOn = async (stream: string, phone: string) =>
    (await t.app.db.selectFrom('stream_events').select('data').where('stream', '=', stream).execute()).filter((e) => (JSON.parse(e.data) as { phone?: string }).phone === phone);
  const errorsOf = (s: TestSocket) => s.messages.filter((m) => m.type === 'error');

  async function paidOrderAtRegal(phone: string) {
    const placed = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat2, items: [{ itemId: v.item(v.theatre2, 'Cold Coffee'), quantity: 1 }], phone, paymentMethod: 'online' });
    expect(placed.status).toBe(201);
    const payment = await new ApiClient(t, placed.body.orderToken).call('POST', `/api/orders/${placed.body.order.id}/payments`);
    const h = buildWebhook({ event: 'payment.captured', gatewayOrderId: payment.body.gatewayOrderId, gatewayPaymentId: `pay_${randomUUID()}`, amount: 12000, secret: paymentSecret, eventId: `evt_${randomUUID()}`, at: new Date() });
    const r = await fetch(t.http('/api/payments/webhook'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-razorpay-signature': h.signature, 'x-razorpay-event-id': h.eventId }, body: h.rawBody });
    expect(r.status).toBe(200);
  }

  it('an unpaid online order at theatre 2 with a guest\'s number shows theatre-2 staff nothing; theatre 1 keeps the conversation', async () => {
    const phone = freshPhone();
    const path = `/api/chat/users/${phone.slice(1)}`;
    await cashOrderAtGalaxy(phone);
    await postWebhook(webhookUrl(), whatsappWebhook({ messages: [textMessage(phone, 'my seat is J12')] }), appSecret);
    const unpaid = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat2, items: [{ itemId: v.item(v.theatre2, 'Cold Coffee'), quantity: 1 }], phone, paymentMethod: 'online' });
    expect(unpaid.status).toBe(201);
    const s1 = await follow(staff1);
    await postWebhook(webhookUrl(), whatsappWebhook({ messages: [textMessage(phone, 'still there?')] }), appSecret);
    expect(await s1.until(() => chatMessages(s1, phone).find((m) => m.text === 'still there?'), 'the new message at theatre 1')).toMatchObject({ theatreId: v.theatre1.id });

    expect((await staff2.call('GET', `${path}/messages`)).status).toBe(404);
    expect((await staff2.call('GET', `${path}/messages?theatreId=${v.theatre1.id}`)).status).toBe(404);
    expect((await staff2.call('POST', `${path}/messages`, { text: 'hello from theatre 2' })).status).toBe(404);
    expect((await staff2.call('POST', `${path}/read`)).status).toBe(404);
    expect((await staff2.call('GET', '/api/chat/users')).body.conversations.filter((c: { phone: string }) => c.phone === phone)).toEqual([]);
    const s2 = await follow(staff2);
    s2.send({ type: 'chat.history', phone });
    expect(await s2.next('error')).toMatchObject({ code: 'not_found' });
    s2.send({ type: 'chat.send', phone, text: 'hi', clientMsgId: 'b1' });
    await s2.until(() => errorsOf(s2).length === 2, 'a second refusal');
    expect(errorsOf(s2)[1]).toMatchObject({ code: 'not_found' });
    expect(await chatEventsOn(`chat:${v.theatre2.id}`, phone)).toEqual([]);

    const history = await staff1.call('GET', `${path}/messages`);
    expect(history.body.messages.map((m: { text: string }) => m.text).slice(0, 2)).toEqual(['still there?', 'my seat is J12']);
    expect((await staff1.call('POST', `${path}/messages`, { text: 'on our way' })).body.message).toMatchObject({ theatreId: v.theatre1.id });
    s1.close();
    s2.close();
  });

  it('a paid order at theatre 2 takes new messages there; theatre 1 keeps its history, which theatre 2 never reads; an admin names the theatre', async () => {
    const phone = freshPhone();
    const path = `/api/chat/users/${phone.slice(1)}`;
    await cashOrderAtGalaxy(phone);
    await postWebhook(webhookUrl(), whatsappWebhook({ messages: [textMessage(phone, 'for Galaxy only')] }), appSecret);
    await paidOrderAtRegal(phone);
    await postWebhook(webhookUrl(), whatsappWebhook({ messages: [textMessage(phone, 'for Regal')] }), appSecret);
    const texts = (r: { body: { messages: { text: string }[] } }) => r.body.messages.map((m) => m.text);

    const regal = await staff2.call('GET', `${path}/messages`);
    expect(texts(regal)).toEqual(['for Regal', expect.stringMatching(/^Order #\d+ confirmed/)]);
    expect(regal.body.messages.every((m: { theatreId: number }) => m.theatreId === v.theatre2.id)).toBe(true);
    expect(texts(await staff1.call('GET', `${path}/messages`))).toEqual(['for Galaxy only', expect.stringMatching(/^Order #\d+ confirmed/)]);
    expect((await staff1.call('GET', `${path}/messages?theatreId=${v.theatre2.id}`)).status).toBe(404);

    const mine = (await admin.call('GET', '/api/chat/users')).body.conversations.filter((c: { phone: string }) => c.phone === phone);
    expect(mine.map((c: { theatreId: number }) => c.theatreId).sort()).toEqual([v.theatre1.id, v.theatre2.id].sort());
    const ambiguous = await admin.call('POST', `${path}/messages`, { text: 'which theatre?' });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error.message).toContain('theatreId');
    expect((await admin.call('POST', `${path}/messages`, { text: 'Regal admin here', theatreId: v.theatre2.id })).body.message).toMatchObject({ theatreId: v.theatre2.id });
    expect((await admin.call('POST', `${path}/messages`, { text: 'nowhere', theatreId: 999999 })).status).toBe(404);
    const k = await follow('key');
    k.send({ type: 'chat.send', phone, text: 'which one?', clientMsgId: 'k2' });
    expect(await k.next('error')).toMatchObject({ code: 'bad_request', message: expect.stringContaining('theatreId') });
    k.close();
    expect(texts(await admin.call('GET', `${path}/messages?theatreId=${v.theatre1.id}`))).toEqual(['for Galaxy only', expect.stringMatching(/^Order #\d+ confirmed/)]);
    expect(texts(await staff1.call('GET', `${path}/messages`))).not.toContain('Regal admin here');
  });

  it('refuses NUL and control characters in a staff reply (400, socket bad_request) and stores a WhatsApp message holding them, cleaned, once', async () => {
    const phone = freshPhone();
    const path = `/api/chat/users/${phone.slice(1)}`;
    await cashOrderAtGalaxy(phone);
    const stored = async () => Number((await t.app.db.selectFrom('chat_messages').select((eb) => eb.fn.countAll().as('n')).where('phone', '=', phone).executeTakeFirstOrThrow()).n);
    const before = await stored();
    for (const text of ['a\u0000b', 'esc\u001b[0m', 'half \udc00']) {
      const r = await staff1.call('POST', `${path}/messages`, { text });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
    const s1 = await follow(staff1);
    s1.send({ type: 'chat.send', phone, text: 'nul\u0000', clientMsgId: 'n1' });
    expect(await s1.next('error')).toMatchObject({ code: 'bad_request' });
    expect(await stored()).toBe(before);

    const body = whatsappWebhook({ messages: [textMessage(phone, 'hi\u0000 there\u0007 \ud83c')] });
    const first = await postWebhook(webhookUrl(), body, appSecret);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ stored: 1 });
    expect(await (await postWebhook(webhookUrl(), body, appSecret)).json()).toMatchObject({ stored: 0, duplicates: 1 });
    expect((await staff1.call('GET', `${path}/messages?limit=1`)).body.messages[0]).toMatchObject({ direction: 'incoming', text: 'hi there \ufffd' });
    s1.close();
  });

  it('sends at most the cap of automatic messages to a number that never paid nor wrote, and counts the refusals', async () => {
    const phone = freshPhone();
    const cap = WHATSAPP_DEFAULTS.unknownPhoneCap;
    for (let i = 0; i < cap + 2; i++) await cashOrderAtGalaxy(phone);
    const templates = () => fake.accepted.filter((r) => r.body.to === phone.slice(1) && r.body.type === 'template');
    await fake.until(() => templates().length === cap, 'the allowed templates');
    // A refused message is never stored, so nothing is left to send later.
    expect(await t.app.db.selectFrom('chat_messages').select('template').where('phone', '=', phone).execute()).toEqual(Array(cap).fill({ template: 'order_confirmed' }));
    expect(await t.app.db.selectFrom('whatsapp_unknown_phones').select(['sent', 'refused']).where('phone', '=', phone).executeTakeFirstOrThrow()).toEqual({ sent: cap, refused: 2 });
    expect(templates()).toHaveLength(cap);
    // The operator sees the refusals in /metrics (at least these two: other tests may add theirs).
    const metrics = await (await fetch(t.http('/metrics'))).text();
    expect(Number(/^scan2food_whatsapp_capped_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
  });
});
