import { z } from 'zod';

/*
 * Answer schemas (OpenAPI and response serialisation) of the theatre settings and menu items,
 * shared by the management, menu and seat routes.
 */

export const foodTypeView = z.enum(['veg', 'nonveg', 'egg']).meta({ description: 'green mark (veg), brown mark (nonveg), egg' });
export const taxRateView = z.object({ name: z.string(), rate: z.number().meta({ description: 'percent' }) });
export const pricingView = z.object({
  taxes: z.array(taxRateView),
  pricesIncludeTax: z.boolean(),
  discountPercent: z.number(),
});

export const theatreSettingsView = {
  legalName: z.string().nullable(),
  gstin: z.string().nullable(),
  address: z.string().nullable(),
  timeZone: z.string(),
  taxes: z.array(taxRateView),
  pricesIncludeTax: z.boolean(),
  discountPercent: z.number(),
  discountMessage: z.string().nullable(),
  invoicePrefix: z.string(),
  refundApproval: z.enum(['none', 'code']),
  approverPhone: z.string().nullable(),
  gateway: z.enum(['simulated', 'razorpay', 'cashfree', 'phonepe']),
};

/** What guests see of an item (the seat page). */
export const guestItemFields = {
  id: z.number().int(),
  name: z.string(),
  price: z.number().int().meta({ description: 'paise' }),
  maxTime: z.number().int(),
  available: z.boolean(),
  description: z.string().nullable(),
  foodType: foodTypeView,
  imageUrl: z.string().nullable(),
};
