import type { BusListener, BusMessage, EventBus } from './event-bus.js';

/** The in-process bus: one server process, no network. Delivery is synchronous and in order. */
export class MemoryBus implements EventBus {
  private readonly listeners = new Set<BusListener>();
  readonly healthy = true;

  async publish(message: BusMessage): Promise<void> {
    for (const listener of this.listeners) listener(message);
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** An in-process bus is never interrupted. */
  onResubscribed(): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
