import { z } from 'zod';
import {
  AFTER_CLOSE,
  afterClose,
  CHAT_PATH,
  CLOSE,
  DISCONNECTS,
  LIVE_ORDERS_PATH,
  ORDER_EVENT_TYPES,
  SINCE_PARAM,
  SUBPROTOCOL,
  TICKET_PROTOCOL_PREFIX,
  paymentSocketPath,
  type ClientMessageType,
  type EventType,
  type ServerMessages,
  type SocketName,
} from '../protocol/index.js';
import { clientMessageSchema } from '../realtime/protocol.js';
import { SOCKET_KEY_VARS } from '../realtime/sockets.js';
import { event, hello, REPLY_SCHEMAS, snapshot, VIEW_SCHEMAS, type JsonSchema } from './message-schemas.js';

/**
 * The AsyncAPI 3.0 description of the three sockets (SPEC §2–3), built from src/protocol: the
 * paths, subprotocol, stream names, event types and close codes are the protocol's constants,
 * the messages each socket sends are keyed by the protocol's `ServerMessages` (asyncapi.test.ts
 * checks them against it), and the requests are generated from the decoder the server runs.
 * In AsyncAPI terms the application is the server: it `send`s events and `receive`s requests.
 */

type Described<S extends SocketName> = Record<ServerMessages[S]['type'], JsonSchema>;

const stringMatching = (pattern: string): JsonSchema => ({ type: 'string', pattern });
const STREAMS = {
  'live-orders': stringMatching('^(theatres|theatre:[1-9][0-9]*)$'),
  payment: stringMatching('^order:[1-9][0-9]*$'),
  chat: stringMatching('^(chat|chat:[1-9][0-9]*)$'),
} satisfies Record<SocketName, JsonSchema>;

const eventsOf = <T extends EventType>(types: readonly T[], stream: JsonSchema) => Object.fromEntries(types.map((t) => [t, event(t, stream)])) as Record<T, JsonSchema>;

/** What the server sends on each socket, by message type. */
const SENT: { [S in SocketName]: Described<S> } = {
  'live-orders': {
    hello: hello(STREAMS['live-orders']),
    snapshot: snapshot(STREAMS['live-orders'], 'LiveOrdersSnapshot'),
    ...eventsOf(ORDER_EVENT_TYPES, STREAMS['live-orders']),
    presence: event('presence', STREAMS['live-orders']),
    error: REPLY_SCHEMAS.error,
    pong: REPLY_SCHEMAS.pong,
  },
  payment: {
    hello: hello(STREAMS.payment),
    snapshot: snapshot(STREAMS.payment, 'PaymentSnapshot'),
    'payment.status': event('payment.status', STREAMS.payment),
    'refund.request': event('refund.request', STREAMS.payment),
    error: REPLY_SCHEMAS.error,
    pong: REPLY_SCHEMAS.pong,
  },
  chat: {
    hello: hello(STREAMS.chat),
    snapshot: snapshot(STREAMS.chat, 'ChatSnapshot'),
    'chat.message': event('chat.message', STREAMS.chat),
    // The reply to `chat.history` shares its request's type.
    'chat.history': REPLY_SCHEMAS['chat.history'],
    ack: REPLY_SCHEMAS.ack,
    error: REPLY_SCHEMAS.error,
    pong: REPLY_SCHEMAS.pong,
  },
};

/** What each socket understands; anything else is answered `bad_request`. */
const RECEIVED: Record<SocketName, ClientMessageType[]> = {
  'live-orders': ['ping'],
  payment: ['ping'],
  chat: ['ping', 'chat.history', 'chat.send'],
};

const CHANNEL_OF: Record<SocketName, string> = { 'live-orders': 'liveOrders', payment: 'payment', chat: 'chat' };
const ADDRESS: Record<SocketName, string> = { 'live-orders': LIVE_ORDERS_PATH, payment: paymentSocketPath('{orderId}'), chat: CHAT_PATH };
const SUMMARY: Record<SocketName, string> = {
  'live-orders': 'Live orders of one theatre (ticket) or of every theatre with presence (admin ticket or key).',
  payment: "One order's payment status (guest ticket or key); closed with 1000 once the payment is final.",
  chat: "WhatsApp conversations of one theatre (ticket) or of all (admin ticket or key); staff answer on it.",
};

/** The requests, generated from the zod decoder the server runs on every frame. */
function requestSchemas(): Record<ClientMessageType, JsonSchema> {
  const generated = z.toJSONSchema(clientMessageSchema, { io: 'input' }) as { oneOf?: JsonSchema[]; anyOf?: JsonSchema[] };
  const variants = generated.oneOf ?? generated.anyOf ?? [];
  const byType = {} as Record<ClientMessageType, JsonSchema>;
  for (const variant of variants) {
    const type = (variant as { properties: { type: { const: ClientMessageType } } }).properties.type.const;
    byType[type] = variant;
  }
  return byType;
}

export function asyncApiDocument(): JsonSchema {
  const messages: Record<string, JsonSchema> = {};
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const requests = requestSchemas();

  for (const socket of Object.keys(SENT) as SocketName[]) {
    const channel = CHANNEL_OF[socket];
    const channelMessages: Record<string, JsonSchema> = {};
    const sent: string[] = [];
    for (const [type, payload] of Object.entries(SENT[socket] as Record<string, JsonSchema>)) {
      const name = `${channel}.${type}`;
      messages[name] = { name: type, title: type, contentType: 'application/json', payload };
      channelMessages[`sent.${type}`] = { $ref: `#/components/messages/${name}` };
      sent.push(`sent.${type}`);
    }
    const received: string[] = [];
    for (const type of RECEIVED[socket]) {
      const name = `${channel}.request.${type}`;
      messages[name] = { name: type, title: `${type} (request)`, contentType: 'application/json', payload: requests[type] };
      channelMessages[`received.${type}`] = { $ref: `#/components/messages/${name}` };
      received.push(`received.${type}`);
    }
    channels[channel] = {
      address: ADDRESS[socket],
      title: socket,
      summary: SUMMARY[socket],
      description: `A trailing slash is optional. One credential: \`?key=\` or \`Authorization: Bearer\` (a key of ${SOCKET_KEY_VARS[socket]}), or a ticket (\`?ticket=\`, or the subprotocols \`${SUBPROTOCOL}\`, \`${TICKET_PROTOCOL_PREFIX}<ticket>\`). \`?${SINCE_PARAM}=<seq>\` resumes.`,
      ...(socket === 'payment' ? { parameters: { orderId: { description: 'The order id, written canonically (no leading zeros).' } } } : {}),
      messages: channelMessages,
      bindings: { ws: { method: 'GET', query: connectQuery(), bindingVersion: '0.1.0' } },
    };
    const ref = (key: string) => ({ $ref: `#/channels/${channel}/messages/${key}` });
    operations[`${channel}.send`] = { action: 'send', channel: { $ref: `#/channels/${channel}` }, summary: `What the server sends on ${socket}.`, messages: sent.map(ref) };
    operations[`${channel}.receive`] = { action: 'receive', channel: { $ref: `#/channels/${channel}` }, summary: `What ${socket} understands from a client.`, messages: received.map(ref) };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'scan2food sockets',
      version: SUBPROTOCOL,
      description:
        'Text frames of JSON; every server message has a `type`. Each connection follows one stream: `hello` first, then a `snapshot` (or the replay after `since`), then every event with `seq` increasing by one. Bad input gets an `error` reply; the fifth within a minute closes with 1008, a frame over 64 KiB with 1009. The close codes and what a client does after each are in `x-close-codes`.',
    },
    defaultContentType: 'application/json',
    servers: {
      scan2food: {
        host: '{host}',
        protocol: 'ws',
        description: 'The same host and port as the HTTP API (wss behind TLS).',
        variables: { host: { default: '127.0.0.1:8000' } },
        security: Object.keys(SECURITY_SCHEMES).map((name) => ({ $ref: `#/components/securitySchemes/${name}` })),
      },
    },
    channels,
    operations,
    components: { schemas: VIEW_SCHEMAS, messages, securitySchemes: SECURITY_SCHEMES },
    // Close codes have no place of their own in AsyncAPI: an extension, from the contract's table.
    'x-close-codes': Object.entries(CLOSE).map(([name, code]) => ({
      code,
      name,
      clientAction: AFTER_CLOSE[code],
      reasons: Object.values(DISCONNECTS)
        .filter((d) => d.code === code)
        .map((d) => ({ reason: d.reason, clientAction: afterClose(d.code, d.reason) })),
    })),
  };
}

function connectQuery(): JsonSchema {
  return {
    type: 'object',
    properties: {
      key: { type: 'string', description: 'The socket key (services). Never in a browser.' },
      ticket: { type: 'string', description: 'A ticket from POST /api/ws/tickets: at most 60 s, once, one socket and scope.' },
      [SINCE_PARAM]: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'Resume after this seq.' },
    },
  };
}

const SECURITY_SCHEMES: Record<string, JsonSchema> = {
  keyQuery: { type: 'httpApiKey', name: 'key', in: 'query', description: 'A key of this socket (comma-separated list in its variable: the first current, the rest still accepted).' },
  keyBearer: { type: 'http', scheme: 'bearer', description: 'The same key as `Authorization: Bearer <key>`.' },
  ticketQuery: { type: 'httpApiKey', name: 'ticket', in: 'query', description: 'A ticket minted by POST /api/ws/tickets.' },
  ticketSubprotocol: {
    type: 'httpApiKey',
    name: 'Sec-WebSocket-Protocol',
    in: 'header',
    description: `The ticket kept out of the URL: offer the subprotocols \`${SUBPROTOCOL}\` and \`${TICKET_PROTOCOL_PREFIX}<ticket>\`; the server answers \`${SUBPROTOCOL}\`.`,
  },
};
