import { unwatchFile, watchFile } from 'node:fs';
import { reloadSocketKeys } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import type { KeyStore } from './key-store.js';

/** How often the keys file is checked for changes; well under the one second rotation promises. */
const KEYS_FILE_POLL_MS = 250;

/**
 * Keeps the key store in step with the keys file: on every change of the file (polled by stat,
 * which survives the atomic rename the CLI does) and whenever `reload()` is called (SIGHUP).
 * A reload that finds a socket without any key keeps the old keys and says so, rather than
 * locking every integration out.
 */
export class KeyReloader {
  private readonly listener = () => this.reload('file changed');

  constructor(
    private readonly keysFile: string,
    private readonly store: KeyStore,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  start(): void {
    watchFile(this.keysFile, { interval: KEYS_FILE_POLL_MS, persistent: false }, this.listener);
  }

  stop(): void {
    unwatchFile(this.keysFile, this.listener);
  }

  reload(why: string): void {
    try {
      const keys = reloadSocketKeys(this.keysFile, this.env);
      const empty = Object.entries(keys).filter(([, list]) => list.length === 0).map(([socket]) => socket);
      if (empty.length > 0) {
        this.logger.error({ event: 'keys_reload', why, empty }, 'keys reload ignored: a socket would have no key');
        return;
      }
      this.store.replace(keys);
      this.logger.info({ event: 'keys_reload', why, counts: Object.fromEntries(Object.entries(keys).map(([s, l]) => [s, l.length])) }, 'socket keys reloaded');
    } catch (err) {
      this.logger.error({ err, event: 'keys_reload', why }, 'keys reload failed; keeping the current keys');
    }
  }
}
