import type { BusListener, BusMessage, ControlListener, EventBus } from './event-bus.js';

/** The in-process bus: one server process, no network. Delivery is synchronous and in order. */
export class MemoryBus implements EventBus {
  private readonly listeners = new Set<BusListener>();
  private readonly controls = new Set<ControlListener>();
  readonly healthy = true;

  async publish(message: BusMessage): Promise<void> {
    for (const listener of this.listeners) listener(message);
  }

  async publishAll(messages: readonly BusMessage[]): Promise<void> {
    for (const message of messages) for (const listener of this.listeners) listener(message);
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async publishControl(payload: string): Promise<void> {
    for (const listener of this.controls) listener(payload);
  }

  onControl(listener: ControlListener): () => void {
    this.controls.add(listener);
    return () => this.controls.delete(listener);
  }

  /** An in-process bus is never interrupted. */
  onResubscribed(): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.controls.clear();
  }
}
