/**
 * What the stream node needs from the streams feature to start a connection (SPEC §3): the stream's
 * head, and either a snapshot consistent with it or the events to replay after `since`. The
 * implementation reads both in one database transaction so they agree.
 */
export interface StreamEventRecord {
  stream: string;
  seq: number;
  type: string;
  at: string;
  data: unknown;
  /** Ends what a payment-ticket connection exists for (it is closed normally after this). */
  terminal?: boolean;
}

export type StreamOpening =
  | { head: number; kind: 'snapshot'; snapshot: unknown; reset: boolean; terminal: boolean }
  | { head: number; kind: 'replay'; events: StreamEventRecord[] };

export interface StreamSource {
  open(stream: string, since: number | undefined): Promise<StreamOpening>;
  /** Retained events of `stream` after `seq`, oldest first (fills a gap in live delivery). */
  eventsAfter(stream: string, seq: number, limit: number): Promise<StreamEventRecord[]>;
}

/** The one serialisation of an event: built once per event, sent as the same bytes to every follower. */
export function encodeEvent(event: StreamEventRecord): string {
  return JSON.stringify({ type: event.type, stream: event.stream, seq: event.seq, at: event.at, data: event.data });
}
