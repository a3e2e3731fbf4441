/**
 * The invoice prefix rule, shared by the server (theatres/settings.input.ts) and the admin page,
 * so both refuse the same prefixes. Invoice numbers are `<prefix>/<YYYY-YY>/<n>`
 * (invoices/invoice-numbers.ts).
 */

/** 1 to 4 capital letters or digits. */
export const INVOICE_PREFIX_FORMAT = /^[A-Z0-9]{1,4}$/;

/** The credit notes' own series (`CN/<YYYY-YY>/<n>`): an invoice prefix may not be it. */
export const CREDIT_NOTE_PREFIX = 'CN';
