import type { TaxAmount } from '../protocol/index.js';

/** One line of an invoice: the item as it was ordered, priced from the menu at order time. */
export interface InvoiceLine {
  name: string;
  quantity: number;
  /** Paise. */
  unitPrice: number;
  /** unitPrice × quantity, paise. */
  amount: number;
}

/** A credit note issued against the invoice (one per refund, once the refund has one). */
export interface CreditNoteRef {
  number: string;
  issuedAt: string;
  /** Paise. */
  amount: number;
}

/**
 * SPEC §6 `GET /api/orders/<id>/invoice`: the order's GST invoice. Figures are the order's own
 * (stored when it was placed, protocol/totals.ts); the seller is the theatre's current legal name,
 * GSTIN and address.
 */
export interface InvoiceView {
  invoiceNumber: string;
  issuedAt: string;
  seller: { legalName: string | null; gstin: string | null; address: string | null };
  buyer: { phone: string };
  lines: InvoiceLine[];
  subtotal: number;
  discount: number;
  taxes: TaxAmount[];
  total: number;
  creditNotes: CreditNoteRef[];
}

/** What the PDF needs beyond the invoice itself. */
export interface InvoiceDocument {
  invoice: InvoiceView;
  orderId: number;
  /** The theatre's display name (printed when it has no legal name yet). */
  theatreName: string;
  /** IANA zone the dates are printed in. */
  timeZone: string;
}
