import { signHubBody } from '../../src/chat/whatsapp.webhook.js';

let counter = 0;

/** A Cloud API webhook body carrying `messages` (from guests) and/or `statuses` (of our messages). */
export function whatsappWebhook(value: { messages?: unknown[]; statuses?: unknown[] }): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              ...(value.messages ? { contacts: [{ profile: { name: 'Guest' }, wa_id: '919876543210' }], messages: value.messages } : {}),
              ...(value.statuses ? { statuses: value.statuses } : {}),
            },
          },
        ],
      },
    ],
  });
}

export function textMessage(from: string, body: string, id = `wamid.IN${Date.now()}${++counter}`) {
  return { from: from.replace(/^\+/, ''), id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body } };
}

export function statusUpdate(waId: string, status: 'sent' | 'delivered' | 'read' | 'failed', recipient: string) {
  return { id: waId, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: recipient.replace(/^\+/, '') };
}

export async function postWebhook(url: string, body: string, secret: string | null): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== null) headers['x-hub-signature-256'] = signHubBody(body, secret);
  return fetch(url, { method: 'POST', headers, body });
}
