import type { Executor } from '../db/executor.js';

/**
 * The readers a snapshot is made of, each reading inside the transaction it is given, so the
 * snapshot agrees with the stream head read in the same transaction. The features own them
 * (orders, payments, presence, chat); this module only knows which stream needs which.
 */
export interface SnapshotReaders {
  liveOrders(trx: Executor, theatreId?: number): Promise<unknown[]>;
  payment(trx: Executor, orderId: number): Promise<unknown>;
  presence(): Promise<unknown[]>;
  conversations(trx: Executor, theatreId?: number): Promise<unknown[]>;
}

const THEATRE = /^theatre:(\d+)$/;
const ORDER = /^order:(\d+)$/;
const CHAT_THEATRE = /^chat:(\d+)$/;

/** What a client following `stream` is sent when it does not resume (SPEC §3). */
export async function readSnapshot(trx: Executor, stream: string, readers: SnapshotReaders): Promise<unknown> {
  if (stream === 'theatres') return { orders: await readers.liveOrders(trx), presence: await readers.presence() };
  const theatre = THEATRE.exec(stream);
  if (theatre) return { orders: await readers.liveOrders(trx, Number(theatre[1])) };
  const order = ORDER.exec(stream);
  if (order) return { payment: await readers.payment(trx, Number(order[1])) };
  if (stream === 'chat') return { conversations: await readers.conversations(trx) };
  const chat = CHAT_THEATRE.exec(stream);
  if (chat) return { conversations: await readers.conversations(trx, Number(chat[1])) };
  return {};
}
