import { canSeeTheatre, type Actor } from '../accounts/actor.js';
import type { Executor } from '../db/executor.js';
import { appError } from '../http/errors.js';
import { renderInvoicePdf } from './invoice.pdf.js';
import { InvoiceRepository } from './invoice.repository.js';
import type { InvoiceDocument, InvoiceView } from './invoice.view.js';

/** Who asks: the order's own guest (their token was checked against this order), or staff/admin. */
export type InvoiceReader = 'guest' | Actor;

export interface InvoicePdf {
  filename: string;
  bytes: Buffer;
}

/**
 * SPEC §6 invoices: the JSON of a confirmed order's invoice and the same as a PDF. An order that
 * does not exist, one the reader may not see, and one not confirmed yet all answer not_found.
 */
export class InvoiceService {
  private readonly invoices: InvoiceRepository;

  constructor(deps: { db: Executor }) {
    this.invoices = new InvoiceRepository(deps.db);
  }

  async invoice(orderId: number, reader: InvoiceReader): Promise<InvoiceView> {
    return (await this.document(orderId, reader)).invoice;
  }

  async pdf(orderId: number, reader: InvoiceReader): Promise<InvoicePdf> {
    const doc = await this.document(orderId, reader);
    return { filename: invoiceFilename(doc.invoice.invoiceNumber), bytes: await renderInvoicePdf(doc) };
  }

  private async document(orderId: number, reader: InvoiceReader): Promise<InvoiceDocument> {
    const source = await this.invoices.find(orderId);
    if (!source || (reader !== 'guest' && !canSeeTheatre(reader, source.theatreId))) throw appError('not_found', 'No such order.');
    if (!source.document) throw appError('not_found', 'This order has no invoice yet: it gets one when it is confirmed.');
    return source.document;
  }
}

/** `INV/2026-27/12` → `INV-2026-27-12.pdf` (a `/` cannot be in a file name). */
export const invoiceFilename = (invoiceNumber: string): string => `${invoiceNumber.replace(/[^A-Za-z0-9-]/g, '-')}.pdf`;
