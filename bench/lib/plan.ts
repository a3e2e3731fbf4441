// What the harness asks of one load-generator run (one target, one repetition) and what the
// generator answers. Sent as JSON: the plan in argv, the result as the last stdout line.
import type { ClientKind } from '../targets/index.js';

export interface LoadPlan {
  target: string;
  client: ClientKind;
  port: number;
  /** The server's pid, for its CPU time and RSS in /proc. */
  serverPid: number;
  key: string;
  wrongKey: string;
  conns: number;
  inflight: number;
  /** Subscriber counts to run, ascending; sizes the machine cannot hold are already removed. */
  subscribers: number[];
  broadcasts: number;
  /** Broadcasts per second. */
  rate: number;
  size: number;
}

export interface ConnectFigures {
  attempted: number;
  opened: number;
  failed: number;
  serverCpuUs: number;
  serverCpuPerConnUs: number;
  genCpuUs: number;
  handshakeP50Ms: number;
  handshakeP99Ms: number;
  connsPerSec: number;
  /** (c), measured on a separate first batch of `conns` idle connections on the fresh server. */
  rssBeforeBytes: number;
  rssAfterBytes: number;
  memPerIdleConnBytes: number;
}

export interface RefuseFigures {
  attempted: number;
  refused: number;
  /** Accepted although the key was wrong; must be 0. */
  wronglyAccepted: number;
  failed: number;
  /** How each refusal looked, e.g. "before-upgrade HTTP 401": count. */
  where: Record<string, number>;
  serverCpuUs: number;
  serverCpuPerRefusedUs: number;
  genCpuUs: number;
  handshakeP50Ms: number;
}

export interface FanoutFigures {
  subscribers: number;
  connected: number;
  broadcasts: number;
  expectedDeliveries: number;
  delivered: number;
  lost: number;
  duplicated: number;
  malformed: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  serverCpuUs: number;
  serverCpuPerDeliveryUs: number;
  genCpuUs: number;
  genCpuPerDeliveryUs: number;
  /** Median over solo probes of: POST sent → last subscriber received it. */
  reachAllMs: number;
  failedBroadcastPosts: number;
  /** False when deliveries were still missing DRAIN_TIMEOUT_MS after the last broadcast. */
  drained: boolean;
}

export interface LoadResult {
  target: string;
  connect: ConnectFigures;
  refuse: RefuseFigures;
  fanout: FanoutFigures[];
  notes: string[];
}
