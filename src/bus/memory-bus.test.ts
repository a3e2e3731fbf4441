import { MemoryBus } from './memory-bus.js';
import { eventBusContract } from './event-bus.contract.js';

// One process: both "sides" are the same bus.
eventBusContract('memory', async () => {
  const bus = new MemoryBus();
  return { a: bus, b: bus, close: () => bus.close() };
});
