import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import type { RehearsalOutcome } from '../payments/webhook-rehearsal.js';
import { REHEARSALS, rehearse } from './warm-up.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

/** A rehearsal that counts how often, and how many at once, it ran. */
function counting(outcome: RehearsalOutcome) {
  const seen = { runs: 0, running: 0, mostAtOnce: 0 };
  return {
    seen,
    rehearseWebhook: async () => {
      seen.runs++;
      seen.mostAtOnce = Math.max(seen.mostAtOnce, ++seen.running);
      await new Promise((r) => setImmediate(r));
      seen.running--;
      return outcome;
    },
  };
}

describe('rehearsing the payment path at a start', () => {
  it('rehearses REHEARSALS times: the first four together on PostgreSQL (one per warm connection), then one by one', async () => {
    const { lines, logger } = capture();
    const services = counting({ rehearsed: true, result: 'processed' });
    await rehearse(services, 'postgres', logger);
    expect(services.seen).toMatchObject({ runs: REHEARSALS, mostAtOnce: 4 });
    expect(lines.at(-1)).toMatchObject({ msg: 'payment webhook path rehearsed and rolled back', times: REHEARSALS, webhook: 'processed' });
  });

  it('on SQLite one at a time', async () => {
    const { logger } = capture();
    const services = counting({ rehearsed: true, result: 'processed' });
    await rehearse(services, 'sqlite', logger, 7);
    expect(services.seen).toMatchObject({ runs: 7, mostAtOnce: 1 });
  });

  it('stops after the first round when there is nothing to rehearse yet, and says why', async () => {
    const { lines, logger } = capture();
    const services = counting({ rehearsed: false, why: 'no theatre with a seat and an available item yet' });
    await rehearse(services, 'postgres', logger);
    expect(services.seen.runs).toBe(4);
    expect(lines.at(-1)).toMatchObject({ msg: 'payment webhook path not rehearsed', why: 'no theatre with a seat and an available item yet' });
  });
});
