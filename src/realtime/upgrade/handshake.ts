import type { IncomingHttpHeaders } from 'node:http';
import type { Refused } from './authenticate.js';

/** RFC 6455 §4.1: the nonce is 16 bytes, base64 (the pattern `ws` itself checks). */
const NONCE = /^[+/0-9A-Za-z]{22}==$/;
/** RFC 7230 token characters: a subprotocol name is one token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** The one protocol version of RFC 6455; a refusal names it (§4.4). */
export const WEBSOCKET_VERSION = '13';

const bad = (reason: string, message: string, headers?: Record<string, string>): Refused =>
  headers ? { ok: false, status: 400, code: 'bad_request', reason, message, headers } : { ok: false, status: 400, code: 'bad_request', reason, message };

function tokens(value: string | undefined): string[] {
  return (value ?? '').split(',').map((t) => t.trim().toLowerCase());
}

/** Subprotocols are a list of distinct tokens; `ws` refuses anything else after the fact. */
function protocolsWellFormed(value: string | undefined): boolean {
  if (value === undefined) return true;
  const names = value.split(',').map((p) => p.trim());
  return names.every((p) => TOKEN.test(p)) && new Set(names).size === names.length;
}

/**
 * Whether the request is a WebSocket opening handshake `ws` will complete (RFC 6455 §4.2.1), asked
 * before anything else: a request the handshake would refuse must not count a credential against
 * its address or spend a ticket first. Null when it is one; else the 400 to answer.
 */
export function handshakeRefusal(method: string | undefined, headers: IncomingHttpHeaders): Refused | null {
  if (method !== 'GET') return bad('handshake_method', 'A WebSocket handshake is a GET request.');
  if (headers.upgrade?.toLowerCase() !== 'websocket') return bad('handshake_upgrade', 'Upgrade: websocket is required.');
  if (!tokens(headers.connection).includes('upgrade')) return bad('handshake_connection', 'Connection: Upgrade is required.');
  const key = headers['sec-websocket-key'];
  if (typeof key !== 'string' || !NONCE.test(key)) return bad('handshake_key', 'Sec-WebSocket-Key must be 16 bytes in base64.');
  if (headers['sec-websocket-version'] !== WEBSOCKET_VERSION) {
    return bad('handshake_version', `Sec-WebSocket-Version must be ${WEBSOCKET_VERSION}.`, { 'Sec-WebSocket-Version': WEBSOCKET_VERSION });
  }
  if (!protocolsWellFormed(headers['sec-websocket-protocol'])) return bad('handshake_protocol', 'Sec-WebSocket-Protocol must be a list of distinct tokens.');
  return null;
}
