/** A message as handed to the Cloud API. `to` is E.164; the API wants it without the `+`. */
export type OutboundPayload =
  | { to: string; kind: 'text'; text: string }
  | { to: string; kind: 'template'; name: string; language: string; params: string[] };

export type SendOutcome = { ok: true; waId: string } | { ok: false; retryable: boolean; reason: string };

/** Sends one message; never throws, never takes longer than its timeout. */
export interface WhatsAppApi {
  send(payload: OutboundPayload): Promise<SendOutcome>;
}

export interface GraphApiOptions {
  apiBase: string;
  token: string;
  phoneNumberId: string;
  timeoutMs: number;
}

/** HTTP statuses worth another attempt: the request may succeed later. */
const RETRYABLE = (status: number) => status >= 500 || status === 429 || status === 408;

export function requestBody(p: OutboundPayload): unknown {
  const to = p.to.replace(/^\+/, '');
  if (p.kind === 'text') return { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { preview_url: false, body: p.text } };
  const template: Record<string, unknown> = { name: p.name, language: { code: p.language } };
  if (p.params.length > 0) template.components = [{ type: 'body', parameters: p.params.map((text) => ({ type: 'text', text })) }];
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template };
}

/** The WhatsApp Cloud API: `POST <apiBase>/<phoneNumberId>/messages` with the bearer token. */
export class GraphWhatsAppApi implements WhatsAppApi {
  constructor(private readonly opts: GraphApiOptions) {}

  async send(payload: OutboundPayload): Promise<SendOutcome> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.opts.apiBase}/${this.opts.phoneNumberId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.opts.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(requestBody(payload)),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return { ok: false, retryable: true, reason: timedOut ? `no answer within ${this.opts.timeoutMs} ms` : `request failed: ${(err as Error).message}` };
    }
    const body = safeJson(text) as { messages?: { id?: unknown }[]; error?: { message?: unknown; code?: unknown } } | null;
    if (res.ok) {
      const id = body?.messages?.[0]?.id;
      if (typeof id === 'string' && id !== '') return { ok: true, waId: id };
      return { ok: false, retryable: false, reason: `HTTP ${res.status} without a message id` };
    }
    const e = body?.error;
    const detail = e ? `${typeof e.code === 'number' ? `(#${e.code}) ` : ''}${typeof e.message === 'string' ? e.message.slice(0, 300) : ''}` : '';
    return { ok: false, retryable: RETRYABLE(res.status), reason: `HTTP ${res.status}${detail ? `: ${detail}` : ''}` };
  }
}

/** Without a token and phone number id nothing can be sent: every message fails with this reason. */
export class UnconfiguredWhatsAppApi implements WhatsAppApi {
  async send(): Promise<SendOutcome> {
    return { ok: false, retryable: false, reason: 'WhatsApp is not configured (set WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID)' };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
