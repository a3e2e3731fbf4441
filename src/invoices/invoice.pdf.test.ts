import { describe, expect, it } from 'vitest';
import { pdfText } from '../../test/support/invoicing.js';
import { dateIn, renderInvoicePdf, rs, winAnsi } from './invoice.pdf.js';
import { invoiceFilename } from './invoice.service.js';
import type { InvoiceDocument } from './invoice.view.js';

const sample = (lines: number): InvoiceDocument => ({
  orderId: 7,
  theatreName: 'Galaxy',
  timeZone: 'Asia/Kolkata',
  invoice: {
    invoiceNumber: 'GX/2026-27/12',
    issuedAt: '2027-03-31T18:30:00.000Z',
    seller: { legalName: null, gstin: null, address: null },
    buyer: { phone: '+919876543210' },
    lines: Array.from({ length: lines }, (_, i) => ({ name: `Item ${i + 1}`, quantity: 1, unitPrice: 100, amount: 100 })),
    subtotal: lines * 100,
    discount: 0,
    taxes: [],
    total: lines * 100,
    creditNotes: [],
  },
});

describe('the invoice PDF', () => {
  it('writes paise as rupees with Indian grouping', () => {
    expect([rs(0), rs(1), rs(99), rs(12_345_678), rs(-250)]).toEqual(['Rs 0.00', 'Rs 0.01', 'Rs 0.99', 'Rs 1,23,456.78', '-Rs 2.50']);
  });

  it('dates in the theatre time zone: 18:30 UTC on 31 March is 1 April in Kolkata', () => {
    expect(dateIn('2027-03-31T18:30:00.000Z', 'Asia/Kolkata', false)).toBe('01 Apr 2027');
    expect(dateIn('2027-03-31T18:30:00.000Z', 'UTC', false)).toBe('31 Mar 2027');
  });

  it('keeps what Helvetica can print and marks the rest', () => {
    expect(winAnsi('Café – “Chai” €5\nपनीर 🍿')).toBe('Café – “Chai” €5\n???? ?');
    expect(invoiceFilename('GX/2026-27/12')).toBe('GX-2026-27-12.pdf');
  });

  it('flows a long order onto more pages, every line and the total on them, the same bytes every time', async () => {
    const doc = sample(80);
    const pdf = await renderInvoicePdf(doc);
    const text = pdfText(pdf);
    expect((pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i <= 80; i++) expect(text).toContain(`Item ${i}\n`);
    expect(text).toContain('Rs 80.00');
    expect(text).toContain('Galaxy'); // the theatre's name while it has no legal name
    expect(text).toContain('Date 01 Apr 2027, 12:00 am');
    expect((await renderInvoicePdf(doc)).equals(pdf)).toBe(true);
  });
});
