import { bodyId } from '../http/route-schemas.js';
import { z } from 'zod';
import { safeText } from '../http/safe-text.js';
import { normalisePhone } from '../shared/phone.js';
import { theatreSettingsFields, theatreSettingsSchema } from './settings.input.js';

/*
 * Bodies of the venue and menu management API. Objects are strict: a misspelt field is a 400,
 * not a change that silently did nothing.
 */
export const MAX_NAME_LENGTH = 100;
export const MAX_PRICE_PAISE = 10_000_000;
export const MAX_PREP_MINUTES = 240;
export const MAX_ORDER_LIMIT = 100_000;
export const MAX_UNSEEN_ALERT_SECONDS = 24 * 60 * 60;
export const MAX_NOTIFICATION_PHONES = 20;
export const MAX_SEATS_PER_REQUEST = 500;

/** Trimmed, then refused if it holds a control character or invalid Unicode (safe-text.ts). */
export const nameSchema = z.string().trim().pipe(safeText(MAX_NAME_LENGTH));
export const namedBody = z.strictObject({ name: nameSchema });

const phone = safeText(32)
  .transform((value, ctx) => {
    const normalised = normalisePhone(value);
    if (normalised === null) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid phone number` });
      return z.NEVER;
    }
    return normalised;
  });

const theatreFields = {
  name: nameSchema,
  cashEnabled: z.boolean(),
  orderLimit: z.number().int().min(1).max(MAX_ORDER_LIMIT),
  serviceEndTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM').nullable(),
  unseenAlertSeconds: z.number().int().min(1).max(MAX_UNSEEN_ALERT_SECONDS).nullable(),
  notificationPhones: z.array(phone).max(MAX_NOTIFICATION_PHONES),
};

const optionalSettings = theatreSettingsSchema.shape;

export const createTheatreBody = z.strictObject({
  ...theatreFields,
  ...optionalSettings,
  serviceEndTime: theatreFields.serviceEndTime.optional(),
  unseenAlertSeconds: theatreFields.unseenAlertSeconds.optional(),
  notificationPhones: theatreFields.notificationPhones.optional(),
});
export const updateTheatreBody = z.strictObject({ ...theatreFields, ...theatreSettingsFields }).partial();
export type TheatreChanges = z.output<typeof updateTheatreBody>;
export type NewTheatre = z.output<typeof createTheatreBody>;

export const seatsBody = z.strictObject({
  names: z
    .array(nameSchema)
    .min(1)
    .max(MAX_SEATS_PER_REQUEST)
    .refine((names) => new Set(names).size === names.length, 'seat names must not repeat'),
});

export const MAX_DESCRIPTION_LENGTH = 300;
export const itemDescription = z.string().trim().pipe(safeText(MAX_DESCRIPTION_LENGTH, { min: 0, multiline: true }));
export const foodType = z.enum(['veg', 'nonveg', 'egg']);

const itemFields = {
  name: nameSchema,
  price: z.number().int().min(1).max(MAX_PRICE_PAISE).describe('paise'),
  maxTime: z.number().int().min(1).max(MAX_PREP_MINUTES).describe('minutes'),
  available: z.boolean(),
  description: itemDescription.nullable(),
  foodType,
  sortOrder: z.number().int().min(0).max(1_000_000).describe('place in its category, lowest first'),
};
export const createItemBody = z.strictObject({
  ...itemFields,
  description: itemFields.description.optional(),
  foodType: itemFields.foodType.optional(),
  sortOrder: itemFields.sortOrder.optional(),
});
export const updateItemBody = z.strictObject({ ...itemFields, categoryId: bodyId() }).partial();
export type NewMenuItem = z.output<typeof createItemBody>;
export type MenuItemChanges = z.output<typeof updateItemBody>;
