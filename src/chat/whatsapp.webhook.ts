import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** The Cloud API's webhook, as much of it as chat uses; unknown fields are ignored. */
const inboundMessage = z.looseObject({
  from: z.string().min(1).max(32),
  id: z.string().min(1).max(256),
  timestamp: z.string().regex(/^\d{1,12}$/).optional(),
  type: z.string().min(1).max(64),
  text: z.looseObject({ body: z.string() }).optional(),
  image: z.looseObject({ caption: z.string().optional() }).optional(),
  video: z.looseObject({ caption: z.string().optional() }).optional(),
  document: z.looseObject({ caption: z.string().optional(), filename: z.string().optional() }).optional(),
  location: z.looseObject({ latitude: z.number().optional(), longitude: z.number().optional(), name: z.string().optional(), address: z.string().optional() }).optional(),
  button: z.looseObject({ text: z.string().optional() }).optional(),
  interactive: z
    .looseObject({ button_reply: z.looseObject({ title: z.string() }).optional(), list_reply: z.looseObject({ title: z.string() }).optional() })
    .optional(),
  reaction: z.looseObject({ emoji: z.string().optional() }).optional(),
});

const statusUpdate = z.looseObject({
  id: z.string().min(1).max(256),
  status: z.string(),
  errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional() })).optional(),
});

const webhookSchema = z.looseObject({
  object: z.string().optional(),
  entry: z.array(
    z.looseObject({
      changes: z.array(
        z.looseObject({
          field: z.string().optional(),
          value: z.looseObject({
            messages: z.array(inboundMessage).optional(),
            statuses: z.array(statusUpdate).optional(),
          }),
        }),
      ),
    }),
  ),
});

export type InboundMessage = z.infer<typeof inboundMessage>;

export interface StatusUpdate {
  waId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  error?: string;
}

export interface ParsedWebhook {
  messages: InboundMessage[];
  statuses: StatusUpdate[];
}

const KNOWN_STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);
const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`, compared in constant time. */
export function verifyHubSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  const m = SIGNATURE.exec(header ?? '');
  if (!m?.[1]) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(m[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function signHubBody(rawBody: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** The messages and status updates of a webhook body; null when it is not a WhatsApp webhook. */
export function parseWebhook(rawBody: Buffer): ParsedWebhook | null {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return null;
  }
  const parsed = webhookSchema.safeParse(json);
  if (!parsed.success) return null;
  const result: ParsedWebhook = { messages: [], statuses: [] };
  for (const entry of parsed.data.entry) {
    for (const change of entry.changes) {
      result.messages.push(...(change.value.messages ?? []));
      for (const s of change.value.statuses ?? []) {
        if (!KNOWN_STATUSES.has(s.status)) continue;
        const update: StatusUpdate = { waId: s.id, status: s.status as StatusUpdate['status'] };
        const e = s.errors?.[0];
        if (e) update.error = [e.code !== undefined ? `(#${e.code})` : '', e.title ?? e.message ?? ''].join(' ').trim();
        result.statuses.push(update);
      }
    }
  }
  return result;
}

/** What the chat box shows for an incoming message: its text, or a readable placeholder. */
export function describeInbound(m: InboundMessage): string {
  const withCaption = (label: string, caption: string | undefined) => (caption ? `[${label}] ${caption}` : `[${label}]`);
  switch (m.type) {
    case 'text':
      return m.text?.body ?? '';
    case 'image':
      return withCaption('image', m.image?.caption);
    case 'video':
      return withCaption('video', m.video?.caption);
    case 'document':
      return withCaption('document', m.document?.caption ?? m.document?.filename);
    case 'audio':
      return '[audio message]';
    case 'sticker':
      return '[sticker]';
    case 'location': {
      const l = m.location;
      const where = [l?.name, l?.address].filter(Boolean).join(', ');
      const coords = l?.latitude !== undefined && l?.longitude !== undefined ? `${l.latitude}, ${l.longitude}` : '';
      return `[location] ${[where, coords].filter(Boolean).join(' ')}`.trim();
    }
    case 'button':
      return m.button?.text ?? '[button]';
    case 'interactive':
      return m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? '[interactive reply]';
    case 'reaction':
      return `[reaction ${m.reaction?.emoji ?? ''}]`.replace(' ]', ']');
    case 'contacts':
      return '[contact card]';
    default:
      return `[${m.type} message]`;
  }
}
