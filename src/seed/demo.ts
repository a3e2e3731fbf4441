import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { TheatreRepository } from '../theatres/theatre.repository.js';
import type { SeedInput } from './seed.input.js';
import { seed } from './seed.service.js';

export interface DemoLogin {
  username: string;
  password: string;
  role: 'staff' | 'admin';
}

export interface DemoResult {
  theatreId: number;
  /** A seat to open the guest page with (`/s/<seatId>` or wherever the HTTP layer serves it). */
  sampleSeatId: number;
  logins: DemoLogin[];
}

const rupees = (r: number): number => Math.round(r * 100);

function seats(rows: string[], perRow: number): Array<{ name: string; seats: string[] }> {
  return rows.map((row) => ({ name: row, seats: Array.from({ length: perRow }, (_, i) => `${row}${i + 1}`) }));
}

/** The demo venue: a two-screen multiplex with a typical Indian cinema menu (prices in paise). */
export function demoSeed(passwords: { staff: string; admin: string }): SeedInput {
  return {
    admins: [{ username: 'admin', password: passwords.admin }],
    theatres: [
      {
        name: 'Scan2Food Demo Multiplex',
        cashEnabled: true,
        orderLimit: 50,
        // Made-up seller details (the GSTIN has a valid check character but names no real business).
        legalName: 'Scan2Food Demo Cinemas Private Limited',
        gstin: '29ABCDE1234F1ZW',
        address: '12 MG Road, Bengaluru, Karnataka 560001',
        timeZone: 'Asia/Kolkata',
        taxes: [
          { name: 'CGST', rate: 2.5 },
          { name: 'SGST', rate: 2.5 },
        ],
        pricesIncludeTax: false,
        invoicePrefix: 'DEMO',
        halls: [
          { name: 'Audi 1', rows: seats(['A', 'B', 'C', 'D'], 8) },
          { name: 'Audi 2 Recliner', rows: seats(['A', 'B', 'C'], 6) },
        ],
        menu: [
          {
            category: 'Popcorn',
            items: [
              { name: 'Salted Popcorn (Regular)', price: rupees(250), maxTime: 5, available: true, foodType: 'veg', description: 'Freshly popped, lightly salted. Serves one.' },
              { name: 'Caramel Popcorn (Large)', price: rupees(390), maxTime: 5, available: true, foodType: 'veg', description: 'Coated in butter caramel. Serves two.' },
              { name: 'Cheese Popcorn (Large)', price: rupees(410), maxTime: 5, available: true, foodType: 'veg', description: 'Tossed in cheddar seasoning. Serves two.' },
            ],
          },
          {
            category: 'Snacks',
            items: [
              { name: 'Veg Samosa (2 pcs)', price: rupees(120), maxTime: 8, available: true, foodType: 'veg', description: 'Spiced potato and peas in crisp pastry, with mint chutney.' },
              { name: 'Paneer Tikka Sandwich', price: rupees(260), maxTime: 12, available: true, foodType: 'veg', description: 'Grilled paneer tikka, onions and capsicum in toasted bread.' },
              { name: 'Chicken Puff', price: rupees(150), maxTime: 8, available: true, foodType: 'nonveg', description: 'Flaky puff pastry filled with spiced chicken keema.' },
              { name: 'Egg Puff', price: rupees(120), maxTime: 8, available: true, foodType: 'egg', description: 'Puff pastry with a boiled egg in onion masala.' },
              { name: 'Nachos with Cheese Dip', price: rupees(280), maxTime: 10, available: true, foodType: 'veg', description: 'Corn chips with warm cheese sauce and jalapenos.' },
              { name: 'Veg Burger', price: rupees(220), maxTime: 15, available: false },
            ],
          },
          {
            category: 'Beverages',
            items: [
              { name: 'Masala Chai', price: rupees(90), maxTime: 6, available: true },
              { name: 'Filter Coffee', price: rupees(110), maxTime: 6, available: true },
              { name: 'Cold Coffee', price: rupees(210), maxTime: 7, available: true },
              { name: 'Pepsi (500 ml)', price: rupees(160), maxTime: 2, available: true },
              { name: 'Mineral Water (1 L)', price: rupees(60), maxTime: 2, available: true },
            ],
          },
        ],
        staff: [{ username: 'staff', password: passwords.staff }],
      },
    ],
  };
}

const randomPassword = (): string => randomBytes(12).toString('base64url');

/**
 * Creates the demo venue, one staff and one admin login, but only in a database without any
 * theatre, so it never touches real data. Returns the logins (random passwords, shown once by
 * the start banner) or null when the database already had a theatre.
 */
export async function ensureDemo(
  db: Kysely<Database>,
  opts: { clock?: () => Date; newPassword?: () => string } = {},
): Promise<DemoResult | null> {
  if (await new TheatreRepository(db).hasTheatres()) return null;
  const newPassword = opts.newPassword ?? randomPassword;
  const passwords = { staff: newPassword(), admin: newPassword() };
  const result = await seed(db, demoSeed(passwords), opts.clock);
  const theatre = result.theatres[0]!;
  return {
    theatreId: theatre.id,
    sampleSeatId: theatre.halls[0]!.rows[0]!.seats[0]!.id,
    logins: [
      { username: 'staff', password: passwords.staff, role: 'staff' },
      { username: 'admin', password: passwords.admin, role: 'admin' },
    ],
  };
}
