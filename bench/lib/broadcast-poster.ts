// Sends `POST /broadcast` to a target over one kept-alive connection and keeps score.
import { Agent, request } from 'node:http';
import { BIND_HOST, BROADCAST_PATH } from '../targets/target-kit.js';

const NO_CONTENT = 204;
const POST_TIMEOUT_MS = 30_000;

export class BroadcastPoster {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private pending = new Set<Promise<void>>();
  failed = 0;

  constructor(private readonly port: number) {}

  /** Fire and forget; a status other than 204, an error or a timeout counts as failed. */
  post(body: string): void {
    const done = new Promise<void>((resolve) => {
      const req = request(
        {
          host: BIND_HOST,
          port: this.port,
          path: BROADCAST_PATH,
          method: 'POST',
          agent: this.agent,
          timeout: POST_TIMEOUT_MS,
          headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          if (res.statusCode !== NO_CONTENT) this.failed++;
          res.resume().on('end', resolve).on('error', resolve);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        this.failed++;
        resolve();
      });
      req.end(body);
    });
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }

  async close(): Promise<void> {
    await Promise.all(this.pending);
    this.agent.destroy();
  }
}
