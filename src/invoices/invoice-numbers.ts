import type { Transaction } from '../db/executor.js';
import { CREDIT_NOTE_PREFIX } from '../protocol/index.js';
import type { DocumentSeries } from './invoice.table.js';

/** One formatter per time zone: making one costs more than the rest of a confirmation's own work. */
const yearMonthFormats = new Map<string, Intl.DateTimeFormat>();
function yearMonthIn(timeZone: string): Intl.DateTimeFormat {
  let format = yearMonthFormats.get(timeZone);
  if (!format) yearMonthFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: 'numeric' })));
  return format;
}

/**
 * The financial year (1 April to 31 March) that `at` falls in, in the theatre's time zone, as
 * GST documents write it: '2026-27'.
 */
export function fiscalYearOf(at: Date, timeZone: string): string {
  const parts = yearMonthIn(timeZone).formatToParts(at);
  const year = Number(parts.find((p) => p.type === 'year')!.value);
  const month = Number(parts.find((p) => p.type === 'month')!.value);
  const start = month >= 4 ? year : year - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

/**
 * Takes the next number of a theatre's series for a financial year, inside the transaction that
 * uses it. One upsert: the first taker of a year inserts 1; later ones add 1 to the row, which
 * PostgreSQL locks until commit, so concurrent confirmations on any process queue on it and each
 * sees the last committed number (no repeats), and a rolled-back transaction takes its number back
 * with it (no gaps). On SQLite the transaction holds the database's write lock already.
 */
export async function takeNumber(trx: Transaction, theatreId: number, series: DocumentSeries, fiscalYear: string): Promise<number> {
  const row = await trx
    .insertInto('document_counters')
    .values({ theatre_id: theatreId, series, fiscal_year: fiscalYear, last_number: 1 })
    .onConflict((oc) =>
      oc.columns(['theatre_id', 'series', 'fiscal_year']).doUpdateSet((eb) => ({ last_number: eb('document_counters.last_number', '+', 1) })),
    )
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return row.last_number;
}

/** GST caps an invoice number at 16 characters. */
export const MAX_DOCUMENT_NUMBER_LENGTH = 16;

/**
 * The invoice number of an order being confirmed now: `<prefix>/<YYYY-YY>/<n>` (invoiceNumber
 * says how it stays within 16 characters). Call it in the confirming transaction, after taking the
 * order's lock.
 */
export async function takeInvoiceNumber(trx: Transaction, theatreId: number, at: Date): Promise<string> {
  return takeDocumentNumber(trx, theatreId, 'invoice', at);
}

/** The columns that invoice an order being confirmed now (see invoiceColumns). */
export interface InvoiceColumns {
  invoice_number: string;
  invoiced_at: string;
  invoice_seller: string;
}

/**
 * Invoices an order being confirmed now: its number, when, and the seller's details as they
 * stand (a GST invoice keeps what it was issued with). Call it in the confirming transaction,
 * after taking the order's lock, and write the columns in the same transaction.
 */
export async function invoiceColumns(trx: Transaction, theatreId: number, at: Date): Promise<InvoiceColumns> {
  // One read of the theatre for both the number's prefix and year and the seller's details.
  const seller = await trx
    .selectFrom('theatres')
    .select(['invoice_prefix', 'time_zone', 'legal_name', 'gstin', 'address'])
    .where('id', '=', theatreId)
    .executeTakeFirstOrThrow();
  return {
    invoice_number: await numberFor(trx, theatreId, 'invoice', at, seller),
    invoiced_at: at.toISOString(),
    invoice_seller: JSON.stringify({ legalName: seller.legal_name, gstin: seller.gstin, address: seller.address }),
  };
}

/** A refund's credit note number, `CN/<YYYY-YY>/<n>`, in the theatre's own series. */
export async function takeCreditNoteNumber(trx: Transaction, theatreId: number, at: Date): Promise<string> {
  return takeDocumentNumber(trx, theatreId, 'credit_note', at);
}

async function takeDocumentNumber(trx: Transaction, theatreId: number, series: DocumentSeries, at: Date): Promise<string> {
  const theatre = await trx.selectFrom('theatres').select(['invoice_prefix', 'time_zone']).where('id', '=', theatreId).executeTakeFirstOrThrow();
  return numberFor(trx, theatreId, series, at, theatre);
}

async function numberFor(trx: Transaction, theatreId: number, series: DocumentSeries, at: Date, theatre: { invoice_prefix: string; time_zone: string }): Promise<string> {
  const year = fiscalYearOf(at, theatre.time_zone);
  const n = await takeNumber(trx, theatreId, series, year);
  return series === 'invoice' ? invoiceNumber(theatre.invoice_prefix, year, n) : `${CREDIT_NOTE_PREFIX}/${year}/${n}`;
}

/**
 * An invoice number that GST accepts, at most 16 characters: `<prefix>/<YYYY-YY>/<n>` while that
 * fits. A busy theatre outgrows it within the year (the default INV leaves 4 digits, a 4-letter
 * prefix 3), and a paid order must still be invoiced, so from then on the prefix gives up its last
 * letters, one for each digit n gains: INV/2026-27/9999, IN/2026-27/10000, I/2026-27/100000, and
 * from the millionth invoice of a year no prefix at all (2026-27/1000000). Still unique: n is, and
 * a prefix is only ever cut short, never changed. A cut prefix is never CN: that is the credit
 * notes' series (a theatre may not choose CN itself, see theatres/settings.input.ts).
 */
export function invoiceNumber(prefix: string, fiscalYear: string, n: number): string {
  const digits = String(n);
  const room = MAX_DOCUMENT_NUMBER_LENGTH - fiscalYear.length - digits.length - 2;
  if (room < 1) return `${fiscalYear}/${digits}`;
  let cut = prefix.slice(0, room);
  if (cut === CREDIT_NOTE_PREFIX) cut = cut.slice(0, 1);
  return `${cut}/${fiscalYear}/${digits}`;
}
