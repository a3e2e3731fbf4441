import { z } from 'zod';
import type { ClientMessage as ContractClientMessage } from '../protocol/index.js';

/**
 * The client→server messages of SPEC §3, decoded at the edge into a discriminated union.
 * Anything that is not one of these is `bad_request`; inside, handlers trust the types.
 */
const phone = z.string().min(3).max(32);

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping') }),
  z.object({
    type: z.literal('chat.history'),
    phone,
    before: z.union([z.string().min(1).max(64), z.number().int().nonnegative()]).optional(),
    limit: z.number().int().min(1).max(100).optional(),
  }),
  z.object({
    type: z.literal('chat.send'),
    phone,
    text: z.string().min(1).max(4096),
    clientMsgId: z.string().min(1).max(128),
  }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];

/** The decoder accepts exactly the contract's client messages: a change on either side fails the type check. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const decoderMatchesContract: Same<ClientMessage, ContractClientMessage> = true;
void decoderMatchesContract;

export type Decoded = { ok: true; message: ClientMessage } | { ok: false; message: string };

export function decodeClientMessage(text: string): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Messages must be JSON.' };
  }
  if (typeof raw !== 'object' || raw === null || typeof (raw as { type?: unknown }).type !== 'string') {
    return { ok: false, message: 'Every message needs a string `type`.' };
  }
  const parsed = clientMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue?.code === 'invalid_union') return { ok: false, message: `Unknown message type "${(raw as { type: string }).type}".` };
  return { ok: false, message: `Invalid ${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'bad input'}` };
}
