import { afterAll, beforeAll, describe } from 'vitest';
import { gatewayContract } from '../src/payments/gateway.contract.js';
import type { GatewayName } from '../src/payments/payment.table.js';
import { startGatewayWorld, type GatewayWorld } from './support/gateway-harness.js';

/** Issue 14: one contract, run against every gateway (the real adapters against their fakes on 127.0.0.1). */
for (const name of ['simulated', 'razorpay', 'cashfree', 'phonepe'] as GatewayName[]) {
  describe(name, () => {
    let world: GatewayWorld;
    beforeAll(async () => {
      world = await startGatewayWorld(name);
    });
    afterAll(() => world?.close());
    gatewayContract(name, () => world.gateway);
  });
}
