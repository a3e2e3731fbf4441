import { once } from 'node:events';
import { Redis } from 'ioredis';
import type { BusListener, BusMessage, ControlListener, EventBus } from './event-bus.js';

export interface RedisBusOptions {
  url: string;
  /** Channel name; processes of one deployment share it. Tests use their own. */
  channel?: string;
  onError?: (err: Error) => void;
}

const DEFAULT_CHANNEL = 'scan2food:events';
/** A message on the wire: `[stream, seq, payload, terminal 0|1]`. */
const encode = (m: BusMessage): string => JSON.stringify([m.stream, m.seq, m.payload, m.terminal === true ? 1 : 0]);
/** Reconnect backoff: 100 ms doubling to 5 s, forever; the outbox republishes what was missed. */
const retryStrategy = (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000);

/**
 * Redis pub/sub fan-out: ONE subscription per process (not per connection), one publishing
 * connection. A message is `[stream, seq, payload]` as JSON; the payload is the event already
 * serialised once by its writer. While Redis is down `healthy` is false and publish rejects:
 * the outbox keeps the event unpublished and the relay retries.
 */
export class RedisBus implements EventBus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  /** Control messages travel on their own channel, so neither kind is ever mistaken for the other. */
  private readonly controlChannel: string;
  private readonly listeners = new Set<BusListener>();
  private readonly controls = new Set<ControlListener>();
  private readonly resubscribed = new Set<() => void>();
  private subscribedOnce = false;

  constructor(opts: RedisBusOptions) {
    this.channel = opts.channel ?? DEFAULT_CHANNEL;
    this.controlChannel = `${this.channel}:control`;
    const common = { retryStrategy, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false } as const;
    this.pub = new Redis(opts.url, { ...common, connectionName: 'scan2food-pub' });
    // Subscribing is done here on every (re)connect rather than by ioredis's autoResubscribe, so
    // the moment the subscription is back is known and followers can catch up from history.
    this.sub = new Redis(opts.url, { ...common, connectionName: 'scan2food-sub', enableOfflineQueue: true, autoResubscribe: false });
    const onError = opts.onError ?? (() => undefined);
    this.pub.on('error', onError);
    this.sub.on('error', onError);
    this.sub.on('message', (channel: string, raw: string) => {
      if (channel === this.controlChannel) for (const listener of this.controls) listener(raw);
      else this.dispatch(raw);
    });
    this.sub.on('ready', () => {
      this.sub.subscribe(this.channel, this.controlChannel).then(() => {
        if (this.subscribedOnce) for (const listener of this.resubscribed) listener();
        this.subscribedOnce = true;
      }, onError);
    });
  }

  /** Resolves once both connections are ready and subscribed (for tests and start-up). */
  async ready(): Promise<void> {
    const ready = (r: Redis) => (r.status === 'ready' ? Promise.resolve() : once(r, 'ready').then(() => undefined));
    await Promise.all([ready(this.pub), ready(this.sub)]);
    await this.sub.subscribe(this.channel, this.controlChannel);
  }

  get healthy(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready';
  }

  async publish(message: BusMessage): Promise<void> {
    await this.pub.publish(this.channel, encode(message));
  }

  /** One pipeline: the batch leaves in one write and is answered in one read, in order. */
  async publishAll(messages: readonly BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (messages.length === 1) return this.publish(messages[0]!);
    const pipeline = this.pub.pipeline();
    for (const message of messages) pipeline.publish(this.channel, encode(message));
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('redis pipeline was not executed');
  }

  async publishControl(payload: string): Promise<void> {
    await this.pub.publish(this.controlChannel, payload);
  }

  onControl(listener: ControlListener): () => void {
    this.controls.add(listener);
    return () => this.controls.delete(listener);
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onResubscribed(listener: () => void): () => void {
    this.resubscribed.add(listener);
    return () => this.resubscribed.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.controls.clear();
    this.resubscribed.clear();
    this.pub.disconnect();
    this.sub.disconnect();
  }

  private dispatch(raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return; // not ours: another writer on the channel
    }
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'number' || typeof parsed[2] !== 'string') return;
    const message: BusMessage = parsed[3] === 1 ? { stream: parsed[0], seq: parsed[1], payload: parsed[2], terminal: true } : { stream: parsed[0], seq: parsed[1], payload: parsed[2] };
    for (const listener of this.listeners) listener(message);
  }
}
