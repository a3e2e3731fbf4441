import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { gatewayContract } from '../src/payments/gateway.contract.js';
import type { GatewayName } from '../src/payments/payment.table.js';
import { startGatewayWorld, type GatewayWorld } from './support/gateway-harness.js';

/**
 * Issue 14: one contract, run against every gateway (the real adapters against their fakes on
 * 127.0.0.1), on SQLite and, when DATABASE_URL is set, on PostgreSQL (a schema per gateway).
 */
const databaseUrl = process.env.DATABASE_URL;
const databases: Array<{ label: string; env: () => Record<string, string> }> = [
  { label: 'SQLite', env: () => ({}) },
  ...(databaseUrl ? [{ label: 'PostgreSQL', env: () => ({ DATABASE_URL: databaseUrl, DATABASE_SCHEMA: `t_gw_${process.pid}_${randomUUID().slice(0, 8)}` }) }] : []),
];

for (const database of databases) {
  for (const name of ['simulated', 'razorpay', 'cashfree', 'phonepe'] as GatewayName[]) {
    describe(`${name} on ${database.label}`, () => {
      let world: GatewayWorld;
      const env = database.env();
      beforeAll(async () => {
        world = await startGatewayWorld(name, { env });
      });
      afterAll(async () => {
        await world?.close();
        if (env.DATABASE_SCHEMA) {
          const admin = new pg.Client({ connectionString: databaseUrl });
          await admin.connect();
          await admin.query(`DROP SCHEMA IF EXISTS "${env.DATABASE_SCHEMA}" CASCADE`);
          await admin.end();
        }
      });
      gatewayContract(`${name} on ${database.label}`, () => world.gateway);
    });
  }
}
