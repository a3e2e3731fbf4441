import type { Generated } from 'kysely';

/** The last seq handed out per stream; incremented in the writer's transaction. */
export interface StreamHeadTable {
  stream: string;
  seq: number;
}

/** The outbox: every event, written in the transaction of the state change it reports. */
export interface StreamEventTable {
  /** Global outbox id; the relay publishes in this order. */
  id: Generated<number>;
  stream: string;
  seq: number;
  type: string;
  at: string;
  /** JSON text. */
  data: string;
  /** 0 until the relay has handed the event to the bus. */
  published: Generated<number>;
}
