import type { Logger } from '../observability/logger.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { emitChatMessages } from './chat.events.js';
import { SerialJob } from '../jobs/serial-job.js';
import { ChatRepository } from './chat.repository.js';
import type { TemplateKind } from './chat.table.js';
import { toMessageView, type ChatMessageRow } from './chat.view.js';
import type { OutboundPayload, SendOutcome, WhatsAppApi } from './whatsapp.client.js';

export interface SenderOptions {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** A claimed message is held this long; must exceed the request timeout. */
  leaseMs: number;
  pollMs: number;
  batch: number;
  templates: Record<TemplateKind, string>;
  templateLanguage: string;
}

/** The queue of outgoing WhatsApp messages: a transaction that queues one wakes the sender after it commits. */
export const OUTBOUND_QUEUE = 'chat.outbound';

interface Deps {
  /** Outcomes commit through it (which wakes the relay); the queue is read through its reader. */
  uow: UnitOfWork;
  api: WhatsAppApi;
  clock: () => Date;
  logger: Logger;
}

/** Delay before attempt n+1 after n failed ones: base, 2·base, 4·base…, capped. */
export function retryDelayMs(failedAttempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failedAttempts - 1));
}

/**
 * Delivers queued outgoing messages to WhatsApp, outside any request and any transaction. The
 * queue is the chat_messages table: a message is `queued` with a due time until it is `sent` or,
 * after `maxAttempts` (or an error that retrying cannot fix), `failed`; either outcome is
 * broadcast as `chat.message`. Each attempt is claimed by a conditional update with a lease, so
 * several processes share the queue and a restart resumes it. Delivery is at least once: a crash
 * after WhatsApp accepted a message but before it was marked sent sends it again when the lease
 * ends.
 */
export class OutboundSender {
  private readonly job: SerialJob;
  private wake: NodeJS.Timeout | null = null;
  private readonly repo: ChatRepository;

  constructor(private readonly deps: Deps, private readonly opts: SenderOptions) {
    this.repo = new ChatRepository(deps.uow.reader);
    this.job = new SerialJob(() => this.drain(), {
      intervalMs: opts.pollMs,
      runOnStart: true,
      onError: (err) => deps.logger.warn({ err }, 'whatsapp sender: round failed; will retry'),
      onIdle: () => void this.scheduleWake(),
    });
  }

  start(): void {
    this.job.start();
  }

  /** Sends whatever is due now; resolves when this round (or the one it joined) ends. */
  kick(): Promise<void> {
    return this.job.kick();
  }

  /** One round of sending what is due, without scheduling anything (tests drive the clock with it). */
  sendDueNow(): Promise<void> {
    return this.drain();
  }

  async stop(): Promise<void> {
    if (this.wake) clearTimeout(this.wake);
    await this.job.stop();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const now = this.deps.clock();
      const ids = await this.repo.due(now.toISOString(), this.opts.batch);
      if (ids.length === 0) return;
      await Promise.all(ids.map((id) => this.attempt(id)));
      if (ids.length < this.opts.batch) return;
    }
  }

  /** Wakes up when the next retry is due, sooner than the safety-net poll. */
  private async scheduleWake(): Promise<void> {
    const next = await this.repo.nextDueAt().catch(() => null);
    if (next === null || this.job.isStopped) return;
    const delay = Math.max(0, Date.parse(next) - this.deps.clock().getTime());
    if (delay >= this.opts.pollMs) return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = setTimeout(() => void this.kick(), delay);
    this.wake.unref();
  }

  private async attempt(id: number): Promise<void> {
    const now = this.deps.clock();
    const claimed = await this.repo.claim(id, now.toISOString(), new Date(now.getTime() + this.opts.leaseMs).toISOString());
    if (!claimed) return;
    const outcome = await this.deps.api.send(this.payloadOf(claimed));
    await this.record(claimed, outcome);
  }

  private payloadOf(m: ChatMessageRow): OutboundPayload {
    if (m.direction === 'template' && m.template) {
      const params = JSON.parse(m.template_params ?? '[]') as string[];
      return { to: m.phone, kind: 'template', name: this.opts.templates[m.template], language: this.opts.templateLanguage, params };
    }
    return { to: m.phone, kind: 'text', text: m.text };
  }

  private async record(m: ChatMessageRow, outcome: SendOutcome): Promise<void> {
    const now = this.deps.clock();
    const at = now.toISOString();
    const retry = !outcome.ok && outcome.retryable && m.attempts < this.opts.maxAttempts;
    await this.deps.uow.write(async (trx) => {
      if (retry) {
        const next = new Date(now.getTime() + retryDelayMs(m.attempts, this.opts.retryBaseMs, this.opts.retryMaxMs)).toISOString();
        await this.repo.update(trx, m.id, { lease_until: null, next_attempt_at: next, error: outcome.reason, updated_at: at });
        return;
      }
      const updated = await this.repo.update(trx, m.id, outcome.ok
        ? { status: 'sent', wa_id: outcome.waId, lease_until: null, next_attempt_at: null, error: null, updated_at: at }
        : { status: 'failed', lease_until: null, next_attempt_at: null, error: outcome.reason, updated_at: at });
      await emitChatMessages(trx, [toMessageView(updated)], now);
    });
    if (!outcome.ok) {
      const log = { messageId: m.id, attempt: m.attempts, reason: outcome.reason };
      if (retry) this.deps.logger.info(log, 'whatsapp send failed; will retry');
      else this.deps.logger.warn({ ...log, alert: true }, 'whatsapp message failed');
    }
  }
}
