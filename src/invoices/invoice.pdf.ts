import PDFDocument from 'pdfkit';
import type { InvoiceDocument } from './invoice.view.js';

/*
 * The invoice as an A4 PDF a guest can keep and a printer can print. pdfkit's built-in Helvetica
 * needs no font file, but it only has the WinAnsi characters: amounts are written "Rs" (it has no
 * ₹) and any other character outside that set prints as "?".
 */

const PAGE = { size: 'A4' as const, margin: 50 };
const WIDTH = 595.28 - 2 * PAGE.margin;
const BOTTOM = 841.89 - PAGE.margin;
/** Item, quantity, unit price, amount: x offsets and widths inside the margins. */
const COLUMNS = [
  { x: 0, width: 265, align: 'left' as const },
  { x: 270, width: 45, align: 'right' as const },
  { x: 320, width: 85, align: 'right' as const },
  { x: 410, width: 85, align: 'right' as const },
];
const GREY = '#555555';

export interface PdfOptions {
  /** Uncompressed content streams (tests read the text); production compresses. */
  compress?: boolean;
}

export function renderInvoicePdf(d: InvoiceDocument, opts: PdfOptions = {}): Promise<Buffer> {
  const { invoice } = d;
  const doc = new PDFDocument({
    ...PAGE,
    compress: opts.compress ?? true,
    // Fixed dates: the same invoice renders to the same bytes every time.
    info: { Title: `Tax invoice ${invoice.invoiceNumber}`, Author: winAnsi(invoice.seller.legalName ?? d.theatreName), CreationDate: new Date(invoice.issuedAt), ModDate: new Date(invoice.issuedAt) },
  });
  const done = collect(doc);
  const left = PAGE.margin;
  let y = PAGE.margin;

  // Heading: what it is, its number and date on the right.
  doc.font('Helvetica-Bold').fontSize(18).text('TAX INVOICE', left, y);
  doc.font('Helvetica').fontSize(10);
  rightText(doc, `Invoice no. ${invoice.invoiceNumber}`, y);
  rightText(doc, `Date ${dateIn(invoice.issuedAt, d.timeZone)}`, y + 14);
  rightText(doc, `Order #${d.orderId}`, y + 28);
  y += 56;

  // Seller.
  doc.font('Helvetica-Bold').fontSize(12).text(winAnsi(invoice.seller.legalName ?? d.theatreName), left, y, { width: 300 });
  y = doc.y + 2;
  doc.font('Helvetica').fontSize(10);
  if (invoice.seller.address) {
    doc.text(winAnsi(invoice.seller.address), left, y, { width: 300 });
    y = doc.y + 2;
  }
  doc.text(`GSTIN: ${invoice.seller.gstin ?? 'not registered'}`, left, y);
  y = doc.y + 14;

  // Buyer.
  doc.font('Helvetica-Bold').text('Bill to', left, y);
  doc.font('Helvetica').text(`Phone: ${invoice.buyer.phone}`, left, doc.y + 2);
  y = doc.y + 18;

  // Lines.
  y = tableRow(doc, ['Item', 'Qty', 'Unit price', 'Amount'], y, 'Helvetica-Bold');
  rule(doc, y - 4);
  for (const line of invoice.lines) {
    if (y + rowHeight(doc, line.name) > BOTTOM - 20) y = newPage(doc);
    y = tableRow(doc, [line.name, String(line.quantity), rs(line.unitPrice), rs(line.amount)], y);
  }
  rule(doc, y - 4);

  // Totals, right-aligned under the amounts.
  const sums: Array<[string, string, boolean?]> = [['Subtotal', rs(invoice.subtotal)]];
  if (invoice.discount > 0) sums.push(['Discount', `- ${rs(invoice.discount)}`]);
  for (const t of invoice.taxes) sums.push([`${t.name} ${t.rate}%`, rs(t.amount)]);
  sums.push(['Total', rs(invoice.total), true]);
  for (const [label, value, bold] of sums) {
    if (y > BOTTOM - 20) y = newPage(doc);
    y = tableRow(doc, ['', '', label, value], y, bold ? 'Helvetica-Bold' : 'Helvetica');
  }
  const taxSum = invoice.taxes.reduce((s, t) => s + t.amount, 0);
  if (invoice.taxes.length > 0 && taxSum > 0 && invoice.total === invoice.subtotal - invoice.discount) {
    doc.font('Helvetica').fontSize(9).fillColor(GREY).text('Prices include the taxes shown.', left, y + 2, { width: WIDTH, align: 'right' });
    doc.fillColor('black').fontSize(10);
    y = doc.y + 6;
  }

  // Credit notes issued against it (refunds).
  if (invoice.creditNotes.length > 0) {
    y += 16;
    if (y > BOTTOM - 80) y = newPage(doc);
    doc.font('Helvetica-Bold').fontSize(11).text('Credit notes', left, y);
    y = doc.y + 6;
    y = tableRow(doc, ['Number', '', 'Date', 'Amount'], y, 'Helvetica-Bold');
    for (const n of invoice.creditNotes) {
      if (y > BOTTOM - 20) y = newPage(doc);
      y = tableRow(doc, [n.number, '', dateIn(n.issuedAt, d.timeZone, false), `- ${rs(n.amount)}`], y);
    }
    const credited = invoice.creditNotes.reduce((s, n) => s + n.amount, 0);
    y = tableRow(doc, ['', '', 'Net', rs(invoice.total - credited)], y, 'Helvetica-Bold');
  }

  doc.font('Helvetica').fontSize(8).fillColor(GREY).text('Computer-generated invoice; no signature required. Amounts in Indian rupees (Rs).', left, Math.max(y + 24, doc.y + 24), { width: WIDTH });
  doc.end();
  return done;
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

function rightText(doc: PDFKit.PDFDocument, text: string, y: number): void {
  doc.text(text, PAGE.margin, y, { width: WIDTH, align: 'right' });
}

function rule(doc: PDFKit.PDFDocument, y: number): void {
  doc.moveTo(PAGE.margin, y).lineTo(PAGE.margin + WIDTH, y).lineWidth(0.5).strokeColor('#999999').stroke();
}

const rowHeight = (doc: PDFKit.PDFDocument, name: string): number => doc.heightOfString(winAnsi(name), { width: COLUMNS[0]!.width });

/** One row of four cells; the first may wrap. Returns the y below it. */
function tableRow(doc: PDFKit.PDFDocument, cells: string[], y: number, font = 'Helvetica'): number {
  doc.font(font).fontSize(10);
  let bottom = y;
  cells.forEach((cell, i) => {
    if (cell === '') return;
    const c = COLUMNS[i]!;
    doc.text(winAnsi(cell), PAGE.margin + c.x, y, { width: c.width, align: c.align });
    bottom = Math.max(bottom, doc.y);
  });
  return bottom + 6;
}

function newPage(doc: PDFKit.PDFDocument): number {
  doc.addPage();
  return PAGE.margin;
}

/** Paise as `Rs 1,23,456.70` (Indian digit grouping). */
export function rs(paise: number): string {
  const sign = paise < 0 ? '-' : '';
  const abs = Math.abs(paise);
  return `${sign}Rs ${Math.floor(abs / 100).toLocaleString('en-IN')}.${String(abs % 100).padStart(2, '0')}`;
}

/** A moment as the theatre reads it: `02 Dec 2026, 09:15 pm` (or the day alone). */
export function dateIn(iso: string, timeZone: string, withTime = true): string {
  return new Intl.DateTimeFormat('en-IN', {
    timeZone,
    day: '2-digit',
    month: 'short',
    year: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit', hour12: true } : {}),
  }).format(new Date(iso));
}

/** Helvetica prints Latin-1 and a few WinAnsi extras; anything else would print as garbage. */
const WIN_ANSI_EXTRAS = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += ch === '\n' || (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(ch) ? ch : '?';
  }
  return out;
}
