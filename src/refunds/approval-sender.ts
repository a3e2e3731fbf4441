import type { WhatsAppApi } from '../chat/whatsapp.client.js';
import type { Logger } from '../observability/logger.js';

export interface CodeSenderOptions {
  template: string;
  language: string;
  maxAttempts: number;
  retryBaseMs: number;
}

/**
 * Sends an approval code to the approver as a WhatsApp template ({{1}} the code, {{2}} the order
 * id, {{3}} the amount), straight to the Cloud API with a few retries. It does not go through the
 * chat queue: that stores the text and broadcasts it on the chat socket, and a code must exist
 * only in the approver's WhatsApp. Failures are logged without the code.
 */
export function codeSender(api: WhatsAppApi, opts: CodeSenderOptions, logger: Logger) {
  return (to: string, code: string, about: { orderId: number; approvalId: number; amount: string }): Promise<boolean> => {
    const attempt = async (n: number): Promise<boolean> => {
      const outcome = await api.send({ to, kind: 'template', name: opts.template, language: opts.language, params: [code, String(about.orderId), about.amount] });
      if (outcome.ok) return true;
      if (!outcome.retryable || n >= opts.maxAttempts) {
        logger.warn({ alert: true, approvalId: about.approvalId, orderId: about.orderId, reason: outcome.reason }, 'refund approval code not sent');
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, opts.retryBaseMs * 2 ** (n - 1)));
      return attempt(n + 1);
    };
    return attempt(1);
  };
}
