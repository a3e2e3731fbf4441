/** Test helper: a small venue and deterministic clock and id generators. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { UnitOfWork } from '../db/unit-of-work.js';
import { OrderEvents } from '../orders/order.events.js';
import { wireOrderReactions } from '../reactions.js';
import type { SeedInput } from './seed.input.js';

export const SAMPLE_SEED = {
  admins: [{ username: 'root', password: 'admin-password-1' }],
  theatres: [
    {
      name: 'Galaxy Cinemas',
      cashEnabled: true,
      orderLimit: 3,
      halls: [
        { name: 'Audi 1', rows: [{ name: 'A', seats: ['A1', 'A2'] }, { name: 'B', seats: ['B1'] }] },
        { name: 'Audi 2', rows: [{ name: 'C', seats: ['C1'] }] },
      ],
      menu: [
        {
          category: 'Snacks',
          items: [
            { name: 'Salted Popcorn', price: 25000, maxTime: 5, available: true },
            { name: 'Veg Samosa', price: 8000, maxTime: 10, available: true },
            { name: 'Nachos', price: 18000, maxTime: 8, available: false },
          ],
        },
        { category: 'Drinks', items: [{ name: 'Masala Chai', price: 6000, maxTime: 3, available: true }] },
      ],
      staff: [{ username: 'galaxy-staff', password: 'staff-password-1' }],
    },
    {
      name: 'Regal Talkies',
      cashEnabled: false,
      orderLimit: 10,
      halls: [{ name: 'Main', rows: [{ name: 'R', seats: ['R1'] }] }],
      menu: [{ category: 'Snacks', items: [{ name: 'Cold Coffee', price: 12000, maxTime: 4, available: true }] }],
      staff: [{ username: 'regal-staff', password: 'staff-password-2' }],
    },
  ],
} satisfies SeedInput;

/** A clock the test moves by hand. */
export function manualClock(start = '2026-11-29T18:00:00.000Z'): { now: () => Date; advance(ms: number): void } {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

/** `prefix-1`, `prefix-2`, ... */
export function sequence(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

/** The sample venue without accounts: password hashing (scrypt) is slow on purpose. */
export const VENUE_SEED = {
  admins: [],
  theatres: SAMPLE_SEED.theatres.map((t) => ({ ...t, staff: [] })),
} satisfies SeedInput;

/**
 * What services are built from in unit tests, wired as the app wires them (services.ts): a unit
 * of work on `db` (no jobs to wake) and the order events with every feature's reactions.
 */
export function serviceWiring(db: Kysely<Database>): { uow: UnitOfWork; orderEvents: OrderEvents } {
  return { uow: new UnitOfWork(db), orderEvents: wireOrderReactions(new OrderEvents()) };
}
