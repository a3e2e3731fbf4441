import { z } from 'zod';
import { safeText } from '../http/safe-text.js';
import { basisPoints, CREDIT_NOTE_PREFIX, GATEWAY_NAMES, gstinCheckCharacter, gstinProblem, INVOICE_PREFIX_FORMAT } from '../protocol/index.js';
import { normalisePhone } from '../shared/phone.js';

/*
 * A theatre's business settings (SPEC §6), shared by the management API and the seed file.
 * Every message says what is wrong and what is expected, for the admin page's inline errors.
 */

export const MAX_TAXES = 6;
export const DEFAULT_TIME_ZONE = 'Asia/Kolkata';
export const DEFAULT_INVOICE_PREFIX = 'INV';

/** A percentage with at most two decimals (2.5, 18, 12.75). */
const percent = (max: number) =>
  z
    .number()
    .min(0)
    .max(max)
    .refine((n) => {
      try {
        basisPoints(n);
        return true;
      } catch {
        return false;
      }
    }, 'at most two decimals');

/** Kept here too for the callers that imported it from the settings. */
export { gstinCheckCharacter };

export const gstinSchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .superRefine((s, ctx) => {
    const problem = gstinProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const timeZoneSchema = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-IN', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as Asia/Kolkata');

export const approverPhoneSchema = safeText(32).transform((value, ctx) => {
  const normalised = normalisePhone(value);
  if (normalised === null) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid phone number (E.164, e.g. +919876543210)` });
    return z.NEVER;
  }
  return normalised;
});

export const taxesSchema = z
  .array(z.strictObject({ name: z.string().trim().pipe(safeText(40)), rate: percent(100) }))
  .max(MAX_TAXES)
  .refine((taxes) => new Set(taxes.map((t) => t.name)).size === taxes.length, 'tax names must not repeat');

/** Optional in both the API and the seed; null clears a text setting. */
export const theatreSettingsFields = {
  legalName: z.string().trim().pipe(safeText(200)).nullable(),
  gstin: gstinSchema.nullable(),
  address: z.string().trim().pipe(safeText(500, { multiline: true })).nullable(),
  timeZone: timeZoneSchema,
  taxes: taxesSchema,
  pricesIncludeTax: z.boolean(),
  discountPercent: percent(100),
  discountMessage: z.string().trim().pipe(safeText(200)).nullable(),
  invoicePrefix: z
    .string()
    .regex(INVOICE_PREFIX_FORMAT, '1 to 4 capital letters or digits')
    .refine((p) => p !== CREDIT_NOTE_PREFIX, `${CREDIT_NOTE_PREFIX} numbers the credit notes: choose another prefix`),
  refundApproval: z.enum(['none', 'code']),
  approverPhone: approverPhoneSchema.nullable(),
  gateway: z.enum(GATEWAY_NAMES).nullable(),
};

export const theatreSettingsSchema = z.strictObject(theatreSettingsFields).partial();
export type TheatreSettingsChanges = z.output<typeof theatreSettingsSchema>;
