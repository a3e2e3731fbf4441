import Fastify from 'fastify';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CLOSE, SOCKET_NAMES } from '../protocol/index.js';
import { asyncApiDocument } from './asyncapi.document.js';
import { ASYNCAPI_PATH, asyncApiRoutes } from './asyncapi.routes.js';

/**
 * The AsyncAPI document against src/protocol, read by the TypeScript checker (the protocol is
 * types, so its unions exist only there): every message type each socket may send, every
 * request, every field of every view and message, each literal value, and every close code.
 * A message type, field or value added to the protocol without being described fails here.
 */
type Schema = Record<string, unknown>;

const doc = asyncApiDocument() as {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
  components: { schemas: Record<string, Schema>; messages: Record<string, { name: string; payload: Schema }> };
  'x-close-codes': { code: number }[];
};

function resolve(ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`not a local ref: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => {
      const next = (node as Record<string, unknown> | undefined)?.[key];
      if (next === undefined) throw new Error(`unresolved ref ${ref}`);
      return next;
    }, doc);
}
const deref = (schema: Schema): Schema => (typeof schema.$ref === 'string' ? deref(resolve(schema.$ref) as Schema) : schema);

// ---- the protocol, as the checker sees it ----
const protocolIndex = fileURLToPath(new URL('../protocol/index.ts', import.meta.url));
const program = ts.createProgram([protocolIndex], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext });
const checker = program.getTypeChecker();
const exported = new Map(
  checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(protocolIndex)!)!).map((s) => {
    const symbol = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    return [s.name, checker.getDeclaredTypeOfSymbol(symbol)] as const;
  }),
);
const protocolType = (name: string): ts.Type => {
  const type = exported.get(name);
  if (!type) throw new Error(`src/protocol exports no ${name}`);
  return type;
};
const members = (type: ts.Type): ts.Type[] => (type.isUnion() ? type.types : [type]);
const propertyType = (type: ts.Type, name: string): ts.Type | undefined => {
  const prop = type.getProperty(name);
  return prop && checker.getTypeOfSymbol(prop);
};
const literalValues = (type: ts.Type): string[] => members(type).flatMap((t) => (t.isStringLiteral() ? [t.value] : []));
/** The `type` of each member of a message union. */
const messageTypes = (union: ts.Type): string[] => members(union).flatMap((m) => literalValues(propertyType(m, 'type')!));

const NULLISH = ts.TypeFlags.Null | ts.TypeFlags.Undefined;
const kindOf = (t: ts.Type): string => {
  if (t.flags & ts.TypeFlags.Null) return 'null';
  if (t.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.TemplateLiteral)) return 'string';
  if (t.flags & ts.TypeFlags.NumberLike) return 'number';
  if (t.flags & ts.TypeFlags.BooleanLike) return 'boolean';
  if (checker.isArrayType(t)) return 'array';
  return 'object';
};
const schemaKind = (s: Schema): string => (s.type === 'integer' ? 'number' : String(s.type ?? 'object'));

/** Asserts that `schema` describes exactly `type`: kinds, properties, which are required, literal values. */
function expectDescribes(type: ts.Type, schema: Schema, at: string): void {
  schema = deref(schema);
  const optionalMember = members(type).some((t) => t.flags & ts.TypeFlags.Undefined);
  const variants = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  const tsMembers = members(type).filter((t) => !(t.flags & ts.TypeFlags.Undefined) || !optionalMember);
  if (variants) {
    // A union: the same kinds on both sides, each described by the variant of its kind.
    const branches = variants.map(deref);
    expect(new Set(branches.map(schemaKind)), at).toEqual(new Set(tsMembers.map(kindOf)));
    for (const branch of branches) {
      if (branch.type === 'null') continue;
      const same = tsMembers.filter((t) => kindOf(t) === schemaKind(branch));
      if (same.length === 1) expectDescribes(same[0]!, branch, `${at}|${schemaKind(branch)}`);
    }
    return;
  }
  const nonNull = tsMembers.filter((t) => !(t.flags & NULLISH));
  expect(nonNull.length, `${at}: nullable in protocol, not in the schema`).toBe(tsMembers.length);
  const kinds = new Set(nonNull.map(kindOf));
  expect(kinds.size, `${at}: a union of kinds in protocol, one kind in the schema`).toBe(1);
  const [kind] = kinds;
  const isBoolean = kind === 'boolean' && nonNull.length === 2; // `boolean` is `true | false`
  const literals = nonNull.flatMap((t): (string | boolean)[] => (t.isStringLiteral() ? [t.value] : t.flags & ts.TypeFlags.BooleanLiteral ? [checker.typeToString(t) === 'true'] : []));
  if (literals.length === nonNull.length && !isBoolean) {
    const described = schema.const !== undefined ? [schema.const] : (schema.enum as unknown[] | undefined);
    expect(new Set(described), `${at}: values`).toEqual(new Set(literals));
    return;
  }
  expect(schemaKind(schema), at).toBe(kind);
  if (nonNull.length > 1 && !isBoolean) {
    // Literals and templates (`theatres` | `theatre:${number}`): the pattern admits each literal.
    for (const value of literals) expect(String(value), `${at}: pattern`).toMatch(new RegExp(String(schema.pattern)));
    return;
  }
  const only = isBoolean ? undefined : nonNull[0];
  if (!only) return;
  if (checker.isArrayType(only!)) return expectDescribes(checker.getTypeArguments(only as ts.TypeReference)[0]!, schema.items as Schema, `${at}[]`);
  if (kindOf(only!) !== 'object') return;
  const props = checker.getPropertiesOfType(only!);
  const described = (schema.properties ?? {}) as Record<string, Schema>;
  expect(Object.keys(described).sort(), `${at}: properties`).toEqual(props.map((p) => p.name).sort());
  const required = props.filter((p) => !(p.flags & ts.SymbolFlags.Optional)).map((p) => p.name);
  expect([...((schema.required as string[] | undefined) ?? [])].sort(), `${at}: required`).toEqual(required.sort());
  for (const p of props) expectDescribes(checker.getTypeOfSymbol(p), described[p.name]!, `${at}.${p.name}`);
}

const CHANNEL = { 'live-orders': 'liveOrders', payment: 'payment', chat: 'chat' } as const;
function documented(channel: string, direction: 'sent' | 'received'): Map<string, Schema> {
  const found = new Map<string, Schema>();
  for (const [key, ref] of Object.entries(doc.channels[channel]!.messages)) {
    if (!key.startsWith(`${direction}.`)) continue;
    const message = resolve(ref.$ref) as { name: string; payload: Schema };
    found.set(message.name, message.payload);
  }
  return found;
}

describe('AsyncAPI document of the sockets (from src/protocol)', () => {
  it('describes every ServerMessage type of src/protocol, on each socket exactly what it may send', () => {
    const all = new Set<string>();
    for (const socket of SOCKET_NAMES) {
      const union = propertyType(protocolType('ServerMessages'), socket)!;
      const types = messageTypes(union);
      expect(types.length).toBeGreaterThan(3);
      expect([...documented(CHANNEL[socket], 'sent').keys()].sort(), socket).toEqual([...new Set(types)].sort());
      for (const t of documented(CHANNEL[socket], 'sent').keys()) all.add(t);
    }
    for (const type of messageTypes(protocolType('ServerMessage'))) expect(all, type).toContain(type);
  });

  it('describes each message with the fields, required fields and values of its protocol type', () => {
    for (const socket of SOCKET_NAMES) {
      const sent = documented(CHANNEL[socket], 'sent');
      for (const member of members(propertyType(protocolType('ServerMessages'), socket)!)) {
        const type = literalValues(propertyType(member, 'type')!)[0]!;
        expectDescribes(member, sent.get(type)!, `${socket}:${type}`);
      }
    }
  });

  it('describes every client request, on the sockets that understand it', () => {
    const requests = new Map<string, Schema>();
    for (const socket of SOCKET_NAMES) for (const [type, payload] of documented(CHANNEL[socket], 'received')) requests.set(type, payload);
    const union = protocolType('ClientMessage');
    expect([...requests.keys()].sort()).toEqual(messageTypes(union).sort());
    for (const member of members(union)) expectDescribes(member, requests.get(literalValues(propertyType(member, 'type')!)[0]!)!, 'request');
    expect([...documented('chat', 'received').keys()].sort()).toEqual(['chat.history', 'chat.send', 'ping']);
    expect([...documented('liveOrders', 'received').keys()]).toEqual(['ping']);
  });

  it('describes each view under its protocol name', () => {
    for (const [name, schema] of Object.entries(doc.components.schemas)) expectDescribes(protocolType(name), schema, name);
  });

  it('names every close code, and the three sockets at their contract paths with the send and receive operations', () => {
    expect(doc['x-close-codes'].map((c) => c.code).sort()).toEqual(Object.values(CLOSE).sort());
    expect(Object.values(doc.channels).map((c) => c.address)).toEqual(['/ws/all-seat-datasocket/', '/ws/payment-socket/{orderId}/', '/ws/chat-socket/']);
    for (const op of Object.values(doc.operations)) {
      expect(['send', 'receive']).toContain(op.action);
      resolve(op.channel.$ref);
      for (const m of op.messages) resolve(m.$ref);
    }
    // Every reference in the document points at something.
    JSON.stringify(doc, (key, value: unknown) => (key === '$ref' ? (resolve(value as string), value) : value));
  });

  it('fails when the protocol has a field the schema lacks (the check itself can fail)', () => {
    const schema = structuredClone(deref(doc.components.schemas.PresenceView!));
    delete (schema.properties as Schema).connections;
    expect(() => expectDescribes(protocolType('PresenceView'), schema, 'PresenceView')).toThrow(/properties/);
    const values = structuredClone(deref(doc.components.schemas.OrderView!));
    ((values.properties as Record<string, Schema>).status!.enum as string[]).pop();
    expect(() => expectDescribes(protocolType('OrderView'), values, 'OrderView')).toThrow(/values/);
  });

  it(`is served at ${ASYNCAPI_PATH}`, async () => {
    const app = Fastify();
    asyncApiRoutes(app);
    const res = await app.inject({ method: 'GET', url: ASYNCAPI_PATH });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    await app.close();
  });
});
