import { z } from 'zod';
import { safeText } from '../http/safe-text.js';
import { foodType, itemDescription, MAX_PRICE_PAISE } from '../theatres/manage.input.js';
import { theatreSettingsSchema } from '../theatres/settings.input.js';

/** The seed file (SPEC §5). Unknown keys are refused so a typo does not silently do nothing. */
/** Names and usernames: trimmed, then no control characters or invalid Unicode (safe-text.ts). */
const name = z.string().trim().pipe(safeText(100));
const account = z.strictObject({ username: z.string().trim().pipe(safeText(64)), password: z.string().min(8).max(200) });

const item = z.strictObject({
  name,
  // As in the management API: an item costs at least 1 paisa (a 0 was accepted here and refused there).
  price: z.number().int().min(1).max(MAX_PRICE_PAISE).describe('paise'),
  maxTime: z.number().int().min(1).max(24 * 60).describe('minutes'),
  available: z.boolean().default(true),
  description: itemDescription.optional(),
  foodType: foodType.optional(),
});

const theatre = z.strictObject({
  name,
  cashEnabled: z.boolean().default(false),
  orderLimit: z.number().int().min(1).max(100_000),
  serviceEndTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM')
    .nullable()
    .optional(),
  unseenAlertSeconds: z.number().int().min(1).max(24 * 60 * 60).nullable().optional(),
  notificationPhones: z.array(safeText(32)).optional(),
  ...theatreSettingsSchema.shape,
  halls: z
    .array(z.strictObject({ name, rows: z.array(z.strictObject({ name, seats: z.array(name) })).default([]) }))
    .default([]),
  menu: z.array(z.strictObject({ category: name, items: z.array(item).default([]) })).default([]),
  staff: z.array(account).default([]),
});

export const seedInputSchema = z
  .strictObject({ admins: z.array(account).default([]), theatres: z.array(theatre).default([]) })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    const accounts = [...input.admins, ...input.theatres.flatMap((t) => t.staff)];
    for (const a of accounts) {
      if (seen.has(a.username)) ctx.addIssue({ code: 'custom', message: `username "${a.username}" appears twice` });
      seen.add(a.username);
    }
  });

export type SeedInput = z.input<typeof seedInputSchema>;
export type ParsedSeedInput = z.output<typeof seedInputSchema>;

export class SeedInputError extends Error {
  override readonly name = 'SeedInputError';
}

/** Parses a seed file's JSON value; @throws SeedInputError with one readable line per problem. */
export function parseSeedInput(value: unknown): ParsedSeedInput {
  const result = seedInputSchema.safeParse(value);
  if (!result.success) throw new SeedInputError(`invalid seed input:\n${z.prettifyError(result.error)}`);
  return result.data;
}
