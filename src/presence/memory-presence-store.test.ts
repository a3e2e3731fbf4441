import { MemoryPresenceBackend, MemoryPresenceStore } from './presence-store.js';
import { presenceStoreContract } from './presence-store.contract.js';

// Two stores on one backend stand for two processes (as the memory bus contract does).
presenceStoreContract('memory', async () => {
  const backend = new MemoryPresenceBackend();
  return { a: new MemoryPresenceStore('a', backend), b: new MemoryPresenceStore('b', backend), close: async () => undefined };
});
