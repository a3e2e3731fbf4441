import { createHash, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { SOCKET_NAMES, type SocketName } from '../realtime/sockets.js';

export type SocketKeys = Record<SocketName, string[]>;

/** Which key a connection used, by fingerprint, so a later reload can tell whether it still holds. */
export interface KeyMatch {
  socket: SocketName;
  keyId: string;
}

interface StoredKey {
  id: string;
  digest: Buffer;
  /** What `match` returns for this key: one object, shared by every socket opened with it. */
  match: KeyMatch;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The valid socket keys, per socket. Lookups never touch a database and compare in constant
 * time: the candidate and every stored key are reduced to SHA-256 digests of equal length and
 * compared with `timingSafeEqual`, all of them, with no early exit. A key's id is a digest
 * prefix: safe to log, useless to an attacker.
 *
 * Emits `change` after `replace()`, so the gateway can close connections whose key was retired.
 */
export class KeyStore extends EventEmitter {
  private keys: Record<SocketName, StoredKey[]>;

  constructor(initial: SocketKeys) {
    super();
    this.keys = KeyStore.index(initial);
  }

  private static index(keys: SocketKeys): Record<SocketName, StoredKey[]> {
    const out = {} as Record<SocketName, StoredKey[]>;
    for (const socket of SOCKET_NAMES) {
      out[socket] = keys[socket].map((k) => {
        const d = digest(k);
        const id = d.subarray(0, 6).toString('hex');
        return { id, digest: d, match: { socket, keyId: id } };
      });
    }
    return out;
  }

  /** The key among `socket`'s keys equal to `candidate`, or null. A key of another socket never matches. */
  match(socket: SocketName, candidate: string): KeyMatch | null {
    const d = digest(candidate);
    let found: KeyMatch | null = null;
    for (const key of this.keys[socket]) {
      if (timingSafeEqual(key.digest, d) && found === null) found = key.match;
    }
    return found;
  }

  isValid(match: KeyMatch): boolean {
    return this.keys[match.socket].some((k) => k.id === match.keyId);
  }

  replace(keys: SocketKeys): void {
    this.keys = KeyStore.index(keys);
    this.emit('change');
  }
}
