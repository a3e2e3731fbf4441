import type { Selectable, Updateable } from 'kysely';
import type { GatewayName, PricingRules, TaxRate, TheatreSettingsView } from '../protocol/index.js';
import type { TheatreSettingsChanges } from './settings.input.js';
import type { TheatreTable } from './theatre.table.js';

/** A theatre's SPEC §6 settings as the API shows them: the contract's own type. */
export type TheatreSettings = TheatreSettingsView;

/** What a theatre has before anyone sets anything (the migration's column defaults). */
export const DEFAULT_SETTINGS: TheatreSettings = {
  legalName: null,
  gstin: null,
  address: null,
  timeZone: 'Asia/Kolkata',
  taxes: [],
  pricesIncludeTax: false,
  discountPercent: 0,
  discountMessage: null,
  invoicePrefix: 'INV',
  refundApproval: 'none',
  approverPhone: null,
  gateway: 'simulated',
};

/** The columns a settings change writes; settings left out keep their stored value. */
export function settingsColumns(c: TheatreSettingsChanges): Updateable<TheatreTable> {
  return {
    ...(c.legalName !== undefined ? { legal_name: c.legalName } : {}),
    ...(c.gstin !== undefined ? { gstin: c.gstin } : {}),
    ...(c.address !== undefined ? { address: c.address } : {}),
    ...(c.timeZone !== undefined ? { time_zone: c.timeZone } : {}),
    ...(c.taxes !== undefined ? { taxes: JSON.stringify(c.taxes) } : {}),
    ...(c.pricesIncludeTax !== undefined ? { prices_include_tax: c.pricesIncludeTax ? 1 : 0 } : {}),
    ...(c.discountPercent !== undefined ? { discount_bp: Math.round(c.discountPercent * 100) } : {}),
    ...(c.discountMessage !== undefined ? { discount_message: c.discountMessage } : {}),
    ...(c.invoicePrefix !== undefined ? { invoice_prefix: c.invoicePrefix } : {}),
    ...(c.refundApproval !== undefined ? { refund_approval: c.refundApproval } : {}),
    ...(c.approverPhone !== undefined ? { approver_phone: c.approverPhone } : {}),
    ...(c.gateway !== undefined ? { gateway: c.gateway } : {}),
  };
}

export function toSettings(r: Selectable<TheatreTable>): TheatreSettings {
  return {
    legalName: r.legal_name,
    gstin: r.gstin,
    address: r.address,
    timeZone: r.time_zone,
    taxes: JSON.parse(r.taxes) as TaxRate[],
    pricesIncludeTax: r.prices_include_tax === 1,
    discountPercent: r.discount_bp / 100,
    discountMessage: r.discount_message,
    invoicePrefix: r.invoice_prefix,
    refundApproval: r.refund_approval,
    approverPhone: r.approver_phone,
    gateway: (r.gateway ?? 'simulated') as GatewayName,
  };
}

/** The part of the settings the totals module needs (protocol/totals.ts). */
export const pricingOf = (s: Pick<TheatreSettings, 'taxes' | 'pricesIncludeTax' | 'discountPercent'>): PricingRules => ({
  taxes: s.taxes,
  pricesIncludeTax: s.pricesIncludeTax,
  discountPercent: s.discountPercent,
});

/**
 * Settings that only make sense together; checked on the theatre as it would be after a change.
 * @returns what is wrong, or null
 */
export function settingsProblem(s: Pick<TheatreSettings, 'refundApproval' | 'approverPhone'>): string | null {
  if (s.refundApproval === 'code' && s.approverPhone === null) {
    return 'refundApproval "code" needs an approverPhone to send the codes to.';
  }
  return null;
}
