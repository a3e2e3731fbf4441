import type { Server } from 'node:http';
import type { EventBus } from '../bus/event-bus.js';
import type { Limits } from '../config/limits.js';
import type { TrustFn } from '../http/trust-proxy.js';
import type { KeyStore } from '../keys/key-store.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { CapStore } from './connection-caps.js';
import type { MessageHandlers } from './messages.js';
import { StreamNode, type ConnectionHooks } from './stream-node.js';
import type { StreamSource } from './stream-source.js';
import { UpgradeAcceptor } from './upgrade/acceptor.js';
import type { AuthDeps } from './upgrade/authenticate.js';

export interface RealtimeDeps {
  /** The HTTP server whose `upgrade` requests become sockets. */
  server: Server;
  auth: AuthDeps;
  keys: KeyStore;
  limits: Limits;
  trustProxy: TrustFn;
  logger: Logger;
  metrics: Metrics;
  streams: StreamSource;
  bus: EventBus;
  handlers: MessageHandlers;
  hooks?: ConnectionHooks;
  /** Where open sockets are counted against their caps (this process, or every one through Redis). */
  caps: CapStore;
}

export interface Realtime {
  node: StreamNode;
  /** Closes every socket with 1001 and waits (up to `graceMs`) for them to go. */
  close(graceMs: number): Promise<void>;
}

/**
 * The three sockets on the one HTTP server: the stream node, and the acceptor that turns the
 * server's upgrade requests into its clients. Closing stops the node first (no more events,
 * every client told 1001), then lets the acceptor wait for the sockets to go.
 */
export function createRealtime(deps: RealtimeDeps): Realtime {
  const node = new StreamNode({
    keys: deps.keys,
    limits: deps.limits,
    logger: deps.logger,
    streams: deps.streams,
    bus: deps.bus,
    handlers: deps.handlers,
    liveSessions: deps.auth.liveSessions,
    sentCounter: (socket) => deps.metrics.sentCounter(socket),
    ...(deps.hooks ? { hooks: deps.hooks } : {}),
  });
  const acceptor = new UpgradeAcceptor({ auth: deps.auth, limits: deps.limits, trustProxy: deps.trustProxy, logger: deps.logger, metrics: deps.metrics, caps: deps.caps, node });
  const onUpgrade = acceptor.handleUpgrade.bind(acceptor);
  deps.server.on('upgrade', onUpgrade);
  return {
    node,
    async close(graceMs) {
      deps.server.off('upgrade', onUpgrade);
      node.stop();
      await acceptor.close(graceMs);
    },
  };
}
