import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.js';
import { generateSecret } from '../keys/keys-file.js';
import { requestBody } from './whatsapp.client.js';
import { describeInbound, parseWebhook, signHubBody, verifyHubSignature } from './whatsapp.webhook.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-wa-')), ...env });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('WhatsApp configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-wa-')) }).whatsapp;
    expect(c).toMatchObject({
      apiBase: 'https://graph.facebook.com/v21.0',
      token: undefined,
      appSecret: undefined,
      templates: { order_confirmed: 'order_confirmed', order_refunded: 'order_refunded', unseen_order: 'unseen_order_alert' },
      unseenAlertSeconds: 120,
      maxAttempts: 4,
    });
  });

  it('explains what is wrong in readable words', () => {
    expect(problemsOf({ WHATSAPP_TOKEN: generateSecret() })).toEqual(['WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID go together: set both, or neither']);
    expect(problemsOf({ UNSEEN_ALERT_SECONDS: 'soon' })).toEqual(['UNSEEN_ALERT_SECONDS: UNSEEN_ALERT_SECONDS must be a whole number']);
    expect(problemsOf({ WHATSAPP_API_BASE: 'graph.facebook.com' })[0]).toMatch(/^WHATSAPP_API_BASE: WHATSAPP_API_BASE must be an http\(s\) URL/);
    expect(problemsOf({ WHATSAPP_TEMPLATE_ORDER_CONFIRMED: 'Order Confirmed' })[0]).toMatch(/must be a template name/);
  });
});

describe('WhatsApp webhook and request shapes', () => {
  it('checks X-Hub-Signature-256 over the exact bytes', () => {
    const secret = generateSecret();
    const body = Buffer.from('{"entry":[]}');
    expect(verifyHubSignature(body, signHubBody(body, secret), secret)).toBe(true);
    expect(verifyHubSignature(Buffer.from('{"entry": []}'), signHubBody(body, secret), secret)).toBe(false);
    expect(verifyHubSignature(body, undefined, secret)).toBe(false);
    expect(verifyHubSignature(body, 'sha256=abc', secret)).toBe(false);
  });

  it('reads messages and statuses, with readable placeholders for media', () => {
    const parsed = parseWebhook(Buffer.from(JSON.stringify({
      entry: [{ changes: [{ value: {
        messages: [
          { from: '919876543210', id: 'w1', type: 'image', image: { caption: 'my seat' } },
          { from: '919876543210', id: 'w2', type: 'audio', audio: {} },
          { from: '919876543210', id: 'w3', type: 'interactive', interactive: { button_reply: { id: 'x', title: 'Yes' } } },
          { from: '919876543210', id: 'w4', type: 'unsupported' },
        ],
        statuses: [{ id: 'w9', status: 'failed', errors: [{ code: 131047, title: 'Re-engagement message' }] }, { id: 'w8', status: 'deleted' }],
      } }] }],
    })));
    expect(parsed!.messages.map(describeInbound)).toEqual(['[image] my seat', '[audio message]', 'Yes', '[unsupported message]']);
    expect(parsed!.statuses).toEqual([{ waId: 'w9', status: 'failed', error: '(#131047) Re-engagement message' }]);
    expect(parseWebhook(Buffer.from('not json'))).toBeNull();
  });

  it('builds Cloud API request bodies without the plus of the number', () => {
    expect(requestBody({ to: '+919876543210', kind: 'text', text: 'hi' })).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '919876543210', type: 'text', text: { preview_url: false, body: 'hi' } });
  });
});
