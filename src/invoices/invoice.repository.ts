import type { Executor } from '../db/executor.js';
import type { TaxAmount } from '../protocol/index.js';
import type { CreditNoteRef, InvoiceDocument } from './invoice.view.js';

/** What the invoice of an order is made of. */
export interface InvoiceSource {
  theatreId: number;
  /** Null until the order is confirmed. */
  document: InvoiceDocument | null;
}

/**
 * Reads invoices: the order's stored figures and lines, its theatre's seller details and its
 * issued credit notes. Nothing here is computed again: the invoice says what the order charged.
 */
export class InvoiceRepository {
  constructor(private readonly db: Executor) {}

  /** Null when there is no such order. */
  async find(orderId: number): Promise<InvoiceSource | null> {
    const order = await this.db
      .selectFrom('orders')
      .innerJoin('theatres', 'theatres.id', 'orders.theatre_id')
      .select([
        'orders.id',
        'orders.theatre_id',
        'orders.phone',
        'orders.invoice_number',
        'orders.invoiced_at',
        'orders.subtotal',
        'orders.discount',
        'orders.taxes',
        'orders.amount',
        'theatres.name as theatre_name',
        'theatres.legal_name',
        'theatres.gstin',
        'theatres.address',
        'theatres.time_zone',
      ])
      .where('orders.id', '=', orderId)
      .executeTakeFirst();
    if (!order) return null;
    const { invoice_number: invoiceNumber, invoiced_at: issuedAt } = order;
    if (invoiceNumber === null || issuedAt === null) return { theatreId: order.theatre_id, document: null };
    const items = await this.db.selectFrom('order_items').select(['name', 'price', 'quantity']).where('order_id', '=', orderId).orderBy('id').execute();
    return {
      theatreId: order.theatre_id,
      document: {
        orderId: order.id,
        theatreName: order.theatre_name,
        timeZone: order.time_zone,
        invoice: {
          invoiceNumber,
          issuedAt,
          seller: { legalName: order.legal_name, gstin: order.gstin, address: order.address },
          buyer: { phone: order.phone },
          lines: items.map((i) => ({ name: i.name, quantity: i.quantity, unitPrice: i.price, amount: i.price * i.quantity })),
          subtotal: order.subtotal,
          discount: order.discount,
          taxes: JSON.parse(order.taxes) as TaxAmount[],
          total: order.amount,
          creditNotes: await this.creditNotes(orderId),
        },
      },
    };
  }

  /**
   * The order's issued credit notes (a refund gets its number when it is issued), oldest first.
   * A surplus refund (a second capture, or money taken after a cancel) returns money the invoice
   * never charged, so it is not a credit against this invoice.
   */
  private async creditNotes(orderId: number): Promise<CreditNoteRef[]> {
    const rows = await this.db
      .selectFrom('refunds')
      .select(['credit_note_number', 'credit_note_at', 'amount'])
      .where('order_id', '=', orderId)
      .where('credit_note_number', 'is not', null)
      .where('credit_note_at', 'is not', null)
      .where('reason', '!=', 'surplus')
      .orderBy('credit_note_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ number: r.credit_note_number!, issuedAt: r.credit_note_at!, amount: r.amount }));
  }
}
